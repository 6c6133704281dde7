"""The call_ended webhook: signature over the raw bytes, both call shapes, one refusal each."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from campaign.voicy.webhooks import (
    MAX_BODY_BYTES,
    BodyTooLarge,
    MalformedBody,
    NotCallEnded,
    RefusalReason,
    SignatureInvalid,
    SignatureMissing,
    parse_call_ended,
    read_delivery,
    sign,
    verify_signature,
)

SECRET = "whsec_test_4b1d9e0c7a2f"

CALL: dict[str, Any] = {
    "call_id": "0b6f2a4e-1111-4c1e-9a55-6d7f0e3b2a10",
    "call_type": "phone_call",
    "call_status": "user_hangup",
    "agent": {"id": "agent-1", "name": "Appointment reminder", "version": 3},
    "from_number": "+12125550100",
    "to_number": "+972521234567",
    "direction": "outgoing",
    "start_timestamp": 1_767_600_000_000,
    "duration_ms": 42_000,
    "transcript": [
        {"role": "agent", "content": "שלום דנה", "timestamp_ms": 1_767_600_005_000},
        {"role": "caller", "content": "כן, אגיע.", "timestamp_ms": 1_767_600_010_000},
    ],
    "summary": "The person confirmed the appointment.",
    "vars_provided": {"first_name": "דנה"},
    "vars_extracted": {"confirmed": True, "opt_out": False},
    "vars_collected": {"slots": ["Mon 09:30"]},
    "call_cost": {"combined_cost": 0.084, "currency": "USD"},
}


def body_of(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def delivery(call: dict[str, Any] | None = None) -> bytes:
    return body_of({"event": "call_ended", "call": call or CALL})


# --- signature -------------------------------------------------------------------------


def test_sign_is_the_documented_hmac() -> None:
    body = delivery()
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert sign(SECRET, body) == f"sha256={expected}"


@pytest.mark.parametrize(
    "header",
    [
        "sign",  # the right signature
        "upper",  # hex in upper case, prefix too
        "spaced",  # surrounding whitespace
    ],
)
def test_right_signature_passes(header: str) -> None:
    body = delivery()
    value = sign(SECRET, body)
    value = {"sign": value, "upper": value.upper(), "spaced": f"  {value} "}[header]
    verify_signature(SECRET, body, value)


@pytest.mark.parametrize(
    ("header", "error"),
    [
        (None, SignatureMissing),
        ("", SignatureMissing),
        ("   ", SignatureMissing),
        ("sha256=", SignatureInvalid),
        ("sha256=deadbeef", SignatureInvalid),
        ("md5=" + "0" * 32, SignatureInvalid),
        ("0" * 64, SignatureInvalid),  # no prefix
        ("sha256=" + "é" * 64, SignatureInvalid),  # not ASCII
        ("other-secret", SignatureInvalid),
    ],
    ids=["none", "empty", "blank", "prefix-only", "short", "md5", "bare-hex", "unicode", "other"],
)
def test_wrong_or_missing_signature_is_refused(header: str | None, error: type) -> None:
    body = delivery()
    if header == "other-secret":
        header = sign("another secret", body)
    with pytest.raises(error) as caught:
        verify_signature(SECRET, body, header)
    assert caught.value.status_code == 401


def test_signature_is_over_the_raw_bytes_not_the_json() -> None:
    # The same JSON, serialized again with other spacing and key order: not what was signed.
    body = delivery()
    signature = sign(SECRET, body)
    reserialized = json.dumps(json.loads(body), indent=2, sort_keys=True).encode()
    assert json.loads(reserialized) == json.loads(body)
    with pytest.raises(SignatureInvalid):
        verify_signature(SECRET, reserialized, signature)
    verify_signature(SECRET, body, signature)


def test_altered_content_under_a_genuine_signature_is_refused() -> None:
    genuine = delivery()
    forged = delivery({**CALL, "summary": "FORGED", "vars_extracted": {"opt_out": True}})
    with pytest.raises(SignatureInvalid):
        read_delivery(SECRET, forged, {"X-Voicy-Signature": sign(SECRET, genuine)})


# --- body ------------------------------------------------------------------------------


def test_a_genuine_delivery_reads_as_call_get_would() -> None:
    body = delivery()
    got = read_delivery(SECRET, body, {"X-Voicy-Signature": sign(SECRET, body)})
    detail = got.detail
    assert got.call_id == CALL["call_id"]
    assert detail.call_status == "user_hangup"
    assert detail.category == "connected"
    assert detail.summary == CALL["summary"]
    assert [e.content for e in detail.transcript] == ["שלום דנה", "כן, אגיע."]
    assert detail.vars_extracted == {"confirmed": True, "opt_out": False}
    assert detail.vars_collected == {"slots": ["Mon 09:30"]}
    assert detail.cost == pytest.approx(0.084)
    assert detail.currency == "USD"
    assert detail.duration_ms == 42_000
    assert detail.end_timestamp == CALL["start_timestamp"] + 42_000
    assert detail.agent_name == "Appointment reminder"


def test_the_older_get_call_shape_is_read_too() -> None:
    older = {
        "call_id": "c-older",
        "call_status": "ended",
        "direction": "outbound",
        "start_timestamp": 1000,
        "end_timestamp": 61000,
        "transcript": "Agent: hello\nUser: hi",
        "transcript_object": [{"role": "agent", "content": "hello"}],
        "disconnection_reason": "user_hangup",
        "call_analysis": {"call_summary": "Said hi."},
    }
    detail = parse_call_ended(delivery(older)).detail
    assert detail.call_status == "ended"
    assert detail.category == "connected"
    assert detail.direction == "outgoing"
    assert detail.duration_ms == 60000
    assert detail.summary == "Said hi."
    assert [e.content for e in detail.transcript] == ["hello"]
    assert detail.disconnection_reason == "user_hangup"


@pytest.mark.parametrize(
    ("body", "event_header"),
    [
        (body_of({"event": "call_ended", "data": {"call_id": "c1", "call_status": "busy"}}), None),
        (body_of({"call": {"call_id": "c1", "call_status": "busy"}}), "call_ended"),
        (body_of({"event": "CALL_ENDED", "call_id": "c1", "call_status": "busy"}), None),
    ],
    ids=["data-key", "event-in-header", "flat"],
)
def test_defensive_shapes(body: bytes, event_header: str | None) -> None:
    detail = parse_call_ended(body, event_header).detail
    assert (detail.call_id, detail.call_status, detail.category) == ("c1", "busy", "failed")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", MalformedBody),
        (b"not json", MalformedBody),
        (b"\xff\xfe{}", MalformedBody),
        (b"[1, 2]", MalformedBody),
        (b'"call_ended"', MalformedBody),
        (body_of({"event": "call_ended"}), MalformedBody),
        (body_of({"event": "call_ended", "call": {"summary": "no id"}}), MalformedBody),
        (body_of({"event": "call_ended", "call": {"call_id": ""}}), MalformedBody),
        (body_of({"event": "call_ended", "call": {"call_id": True}}), MalformedBody),
        (body_of({"event": "call_started", "call": CALL}), NotCallEnded),
        (body_of({"call": CALL}), NotCallEnded),
    ],
    ids=[
        "empty",
        "text",
        "not-utf8",
        "array",
        "string",
        "no-call",
        "no-call-id",
        "empty-call-id",
        "bool-call-id",
        "other-event",
        "no-event",
    ],
)
def test_malformed_and_other_events_are_refused(body: bytes, error: type) -> None:
    with pytest.raises(error) as caught:
        read_delivery(SECRET, body, {"x-voicy-signature": sign(SECRET, body)})
    assert caught.value.status_code == 400
    assert caught.value.reason in (RefusalReason.MALFORMED_BODY, RefusalReason.NOT_CALL_ENDED)


def test_oversize_is_refused_before_the_signature_is_computed() -> None:
    body = b"{" + b" " * MAX_BODY_BYTES + b"}"
    with pytest.raises(BodyTooLarge) as caught:
        read_delivery(SECRET, body, {})
    assert caught.value.status_code == 413
    assert caught.value.reason == RefusalReason.BODY_TOO_LARGE


def test_every_refusal_has_its_own_reason() -> None:
    classes = [SignatureMissing, SignatureInvalid, BodyTooLarge, MalformedBody, NotCallEnded]
    assert sorted(c.reason for c in classes) == sorted(RefusalReason)
