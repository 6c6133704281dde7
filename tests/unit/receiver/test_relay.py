"""The receiver's wake-up for runners in the same process: new deliveries wake every
attached listener; repeats and unknown calls wake nobody; a detached or failing listener
changes nothing for the others."""

from __future__ import annotations

import pytest

from campaign.receiver import DeliveryRelay
from campaign.store.inbox import Stored


@pytest.mark.parametrize(
    ("stored", "wakes"),
    [(Stored.NEW, True), (Stored.REPEATED, False), (Stored.UNKNOWN_CALL, False)],
)
def test_only_a_new_delivery_wakes_the_runners(stored: Stored, wakes: bool) -> None:
    relay = DeliveryRelay()
    woken: list[str] = []
    with relay.attached(lambda: woken.append("a")), relay.attached(lambda: woken.append("b")):
        relay("call-1", stored)
    assert woken == (["a", "b"] if wakes else [])


def test_a_detached_listener_is_not_woken_and_a_failing_one_stops_nobody() -> None:
    relay = DeliveryRelay()
    woken: list[str] = []

    def broken() -> None:
        raise RuntimeError("a runner's hook failed")

    with relay.attached(broken), relay.attached(lambda: woken.append("kept")):
        with relay.attached(lambda: woken.append("gone")):
            assert relay.listeners == 3
        relay("call-1", Stored.NEW)
    relay("call-2", Stored.NEW)
    assert woken == ["kept"] and relay.listeners == 0
