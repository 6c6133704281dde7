"""The results table: every input row in order, matching what was recorded for each call."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from campaign.errors import InputError
from campaign.outcomes.figures import compute_figures
from campaign.outcomes.frames import CampaignRows, read_campaign_rows
from campaign.outcomes.results import (
    RESULT_COLUMNS,
    attempts_frame,
    parse_only,
    results_frame,
    transcript_text,
)
from campaign.store.db import Database
from tests.outcomes_factory import (
    COLUMNS,
    FORMULA_SUMMARY,
    HEBREW_LINE,
    INVALID_REASON,
    ROWS,
    T0,
    StoredCampaign,
    finished_campaign,
    queued_contacts,
    ready_campaign,
)

VARIABLES = [
    "extracted.callback",
    "extracted.confirmed",
    "extracted.products",
    "extracted.slot",
    "collected.email",
    "collected.reason",
]


def test_one_row_per_input_row_in_input_order_with_original_text(rows: CampaignRows) -> None:
    frame = results_frame(rows)
    assert list(frame.columns) == [*COLUMNS, *RESULT_COLUMNS, *VARIABLES]
    assert frame["Name"].tolist() == [row.name for row in ROWS]
    assert frame["Phone"].tolist() == [row.phone for row in ROWS]  # original text, not E.164
    assert frame.loc[1, "Notes"] == ""


def test_every_row_matches_the_last_recorded_call(
    rows: CampaignRows, finished: StoredCampaign
) -> None:
    frame = results_frame(rows)
    for index, line in enumerate(finished.lines):
        row = frame.loc[index]
        assert row["outcome"] == finished.outcomes[line], line
        primary = ROWS[index].duplicate_of or line
        call = finished.last_call(primary)
        if call is None:
            assert pd.isna(row["call_id"]) and row["attempts"] == 0
            continue
        assert row["call_id"] == call.call_id
        assert row["call_status"] == call.status
        assert row["started_at"] == call.started_at
        assert row["ended_at"] == call.ended_at
        assert row["duration_s"] == call.duration_ms / 1000
        assert row["to_number"] == call.to_number
        assert row["attempts"] == len([c for c in finished.calls if c.line == primary])
        if call.summary is not None:
            assert row["summary"] == call.summary
        for name, value in (call.extracted or {}).items():
            expected = (
                json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
            )
            assert row[f"extracted.{name}"] == expected


def test_rejected_and_duplicate_rows_keep_their_reasons(rows: CampaignRows) -> None:
    frame = results_frame(rows).set_index("Name")
    assert frame.loc["Bob", "outcome"] == "invalid"
    assert frame.loc["Bob", "error"] == INVALID_REASON
    assert frame["to_number"].isna()["Bob"]
    duplicate = frame.loc["Alice again"]
    assert duplicate["outcome"] == "duplicate"  # as the report and status count it
    assert duplicate["duplicate_of"] == 2
    assert duplicate["duplicate_of_outcome"] == "connected"  # line 2's result alongside
    assert frame["duplicate_of_outcome"].drop("Alice again").isna().all()
    assert duplicate["error"] == "duplicate of line 2"
    assert duplicate["summary"] == FORMULA_SUMMARY
    assert frame.loc["Eve", "outcome"] == "dnc"
    assert frame.loc["Eve", "error"] == "on the do-not-call list"
    assert frame.loc["Carol", "error"] == "no answer after 3 calls"
    assert frame["duplicate_of"].isna()["Alice"]


def test_nested_variables_are_json_text_and_scalars_stay_scalars(rows: CampaignRows) -> None:
    alice = results_frame(rows).loc[0]
    assert json.loads(str(alice["extracted.slot"])) == {"day": "Tue", "time": "10:00"}
    assert json.loads(str(alice["extracted.products"])) == ["shampoo", "gel"]
    assert alice["extracted.confirmed"] is True
    assert alice["collected.email"] == "alice@example.com"


def test_only_keeps_the_asked_outcomes(rows: CampaignRows) -> None:
    failed = results_frame(rows, only=["failed"])
    assert failed["Name"].tolist() == ["Carol"]
    again = results_frame(rows, only=["failed,duplicate", "unknown"])
    assert again["Name"].tolist() == ["Carol", "Alice again", "Grace"]
    assert list(again.columns) == list(results_frame(rows).columns)  # stable columns


def test_only_rejects_an_unknown_outcome_with_the_choices() -> None:
    with pytest.raises(
        InputError, match=r"--only answered.*connected, goal_reached, no_goal, failed"
    ):
        parse_only(["answered"])
    assert parse_only(["Failed, pending"]) == {"failed", "pending"}


def test_contacts_not_final_yet_are_pending(db: Database, finished: StoredCampaign) -> None:
    queued_contacts(db, finished.campaign_id, 2)
    frame = results_frame(read_campaign_rows(db, finished.name))
    assert frame["outcome"].tolist()[-2:] == ["pending", "pending"]
    assert frame["attempts"].tolist()[-2:] == [0, 0]


def test_attempts_table_has_one_row_per_placed_call(
    rows: CampaignRows, finished: StoredCampaign
) -> None:
    calls = attempts_frame(rows)
    assert calls["call_id"].tolist() == [call.call_id for call in finished.calls]
    assert "503 before the call was placed" not in calls["error"].tolist()  # not placed
    for _, row in calls.iterrows():
        call = next(c for c in finished.calls if c.call_id == row["call_id"])
        assert (row["line"], row["attempt"], row["call_status"]) == (
            call.line,
            call.number,
            call.status,
        )
        assert row["duration_s"] == call.duration_ms / 1000
    assert calls.columns[: len(COLUMNS)].tolist() == COLUMNS
    hebrew = calls[calls["Name"] == "דוד"].iloc[0]
    assert f"caller: {HEBREW_LINE}" in hebrew["transcript"]
    assert attempts_frame(rows, only=["failed"])["attempt"].tolist() == [1, 2, 3]


def test_generated_columns_never_hide_an_input_column(db: Database) -> None:
    finished_campaign(db, "re-import", columns=["Name", "to_number", "outcome", "Notes"])
    frame = results_frame(read_campaign_rows(db, "re-import"))
    assert frame.columns[:4].tolist() == ["Name", "to_number", "outcome", "Notes"]
    assert frame.loc[0, "to_number"] == "+1 (555) 123-4567"  # the input's own text
    assert frame.loc[0, "campaign.to_number"] == "+15551234567"
    assert frame.loc[0, "campaign.outcome"] == "connected"


def test_a_campaign_without_calls_gives_every_column(db: Database) -> None:
    ready_campaign(db, "fresh", contacts=3)
    rows = read_campaign_rows(db, "fresh")
    frame = results_frame(rows)
    assert list(frame.columns) == [*COLUMNS, *RESULT_COLUMNS]
    assert frame["outcome"].tolist() == ["pending"] * 3
    assert frame["call_id"].isna().all()
    calls = attempts_frame(rows)
    assert calls.empty
    assert calls.columns[len(COLUMNS) :].tolist()[:3] == ["line", "attempt", "outcome"]


def test_transcript_text_accepts_both_api_shapes() -> None:
    assert transcript_text("agent: hi") == "agent: hi"
    assert transcript_text(None) is None
    turns = [{"role": "agent", "content": "hi"}, {"role": "system", "content": None}]
    assert transcript_text(turns) == "agent: hi"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, 3.0, {"role": "agent"}])
def test_a_call_without_a_transcript_has_none(missing: object) -> None:
    """pandas reads a SQL NULL transcript as NaN: it is no transcript, never a crash."""
    assert transcript_text(missing) is None


def test_the_exports_outcomes_are_the_reports(rows: CampaignRows) -> None:
    """A duplicate row counts once, as `duplicate`, in the export as in the report."""
    exported = results_frame(rows)["outcome"].value_counts().to_dict()
    reported = compute_figures(rows, state="finished", now=T0).outcomes
    assert exported == reported and reported["duplicate"] == 1
