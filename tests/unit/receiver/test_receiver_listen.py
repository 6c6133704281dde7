"""Where and whether a receiver may listen: the address, the secret, the refusal."""

from __future__ import annotations

import pytest

from campaign.errors import InputError
from campaign.receiver import ReceiverAddress, check_listen, parse_listen, webhook_secret

GOOD = "whsec_0123456789abcdef"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("127.0.0.1:8790", ("127.0.0.1", 8790)),
        ("0.0.0.0:0", ("0.0.0.0", 0)),
        ("localhost:80", ("localhost", 80)),
        ("[::1]:8790", ("::1", 8790)),
        (" 127.0.0.1:1 ", ("127.0.0.1", 1)),
    ],
)
def test_listen_addresses(spec: str, expected: tuple[str, int]) -> None:
    assert parse_listen(spec) == expected


@pytest.mark.parametrize("spec", ["", "8790", ":8790", "host:", "host:port", "h:70000", "h:-1"])
def test_bad_listen_addresses_say_the_form(spec: str) -> None:
    with pytest.raises(InputError, match="HOST:PORT"):
        parse_listen(spec)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "0.0.0.0", "192.168.1.5"])
def test_no_secret_no_receiver_on_any_address(host: str) -> None:
    with pytest.raises(InputError, match="VOICY_WEBHOOK_SECRET") as refused:
        check_listen(host, None)
    assert "tunnel" in refused.value.message
    check_listen(host, GOOD)


def test_the_secret_comes_from_the_environment_and_must_be_long() -> None:
    assert webhook_secret({}) is None
    assert webhook_secret({"VOICY_WEBHOOK_SECRET": "   "}) is None
    assert webhook_secret({"VOICY_WEBHOOK_SECRET": f" {GOOD} "}) == GOOD
    with pytest.raises(InputError, match="shorter than 16") as short:
        webhook_secret({"VOICY_WEBHOOK_SECRET": "tooshort"})
    assert "tooshort" not in short.value.message


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8790/webhooks/voicy"),
        ("0.0.0.0", "http://127.0.0.1:8790/webhooks/voicy"),
        ("::", "http://[::1]:8790/webhooks/voicy"),
        ("::1", "http://[::1]:8790/webhooks/voicy"),
    ],
)
def test_the_local_url_to_post_to(host: str, url: str) -> None:
    assert ReceiverAddress(host, 8790).url == url
