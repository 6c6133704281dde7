"""Transcripts as a conversation: turns, sides, times, function calls, older plain text."""

from __future__ import annotations

from campaign.web.contact_detail import Turn, _transcript


def test_turns_sides_and_offsets() -> None:
    turns, text = _transcript(
        [
            {"role": "agent", "content": "Hi", "timestamp_ms": 0},
            {"role": "user", "content": "<script>alert(1)</script>", "timestamp_ms": 65_400},
            {"role": "system", "content": None, "function_invocation": {"name": "book"}},
            {"role": "caller", "content": ""},
            {"role": "tool", "content": "done", "timestamp_ms": True},
            "a bare line",
            None,
        ]
    )
    assert text is None
    assert turns == [
        Turn("agent", "Hi", "0:00", "agent"),
        Turn("user", "<script>alert(1)</script>", "1:05", "caller"),
        Turn("system", "[system ran book]", None, "other"),
        Turn("tool", "done", None, "other"),
        Turn("?", "a bare line", None, "other"),
    ]


def test_plain_text_and_missing_transcripts() -> None:
    assert _transcript("agent: hi\ncaller: bye") == ([], "agent: hi\ncaller: bye")
    assert _transcript(None) == ([], None)
    assert _transcript({"unexpected": "shape"}) == ([], None)
