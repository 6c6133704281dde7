"""The expected cost of calls in progress: cautious while it is being learned."""

from __future__ import annotations

import pytest

from campaign.store.spend import LEARNED, PastCalls, Spend


@pytest.mark.parametrize(
    ("spend", "per_call", "committed_one_more"),
    [
        # Nothing known: no expected cost (the cap lets one wave of lines teach it).
        (Spend(0.0, None, 0, 0, 4), None, 0.0),
        # A past campaign's mean, before this one's first cost.
        (Spend(0.0, "USD", 0, 0, 4, prior=0.05), 0.05, 0.25),
        # Few costs: the dearest so far (short calls end first and cost least).
        (Spend(0.30, "USD", 3, 3, 2, dearest=0.2), 0.2, 0.30 + 0.2 * 3),
        # Enough costs: their mean.
        (Spend(3.0, "USD", LEARNED, LEARNED, 2, dearest=0.5), 0.1, 3.0 + 0.1 * 3),
    ],
)
def test_per_call_in_flight(
    spend: Spend, per_call: float | None, committed_one_more: float
) -> None:
    assert spend.per_call_in_flight == pytest.approx(per_call)
    assert spend.committed(1) == pytest.approx(committed_one_more)


def test_estimate_is_calls_times_answer_rate_times_mean_cost() -> None:
    past = PastCalls(calls=10, connected=4, costed=4, total=0.8, currency="USD")
    assert past.answer_rate == 0.4 and past.per_connected == pytest.approx(0.2)
    assert past.estimate(100) == pytest.approx(100 * 0.4 * 0.2)
    assert PastCalls(5, 0, 0, 0.0, None).estimate(100) is None
