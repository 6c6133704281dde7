"""Every member of every vocabulary shows up on every surface that shows that vocabulary.

Nothing here names a member by hand: the store gets a contact, a dial or a campaign for each
member of each enum, then each surface (status, status --json, the campaign page, the export,
the report) is read and must name each member. A member added to an enum is checked too.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pytest
from rich.console import Console
from sqlalchemy import select
from starlette.testclient import TestClient

from campaign.calls.vocab import (
    AttemptStatus,
    CampaignState,
    ContactState,
    Outcome,
    StopReason,
    WaitReason,
)
from campaign.clock import FakeClock
from campaign.outcomes.figures import report_figures
from campaign.outcomes.frames import read_campaign_rows
from campaign.outcomes.report import render_report
from campaign.outcomes.results import results_frame
from campaign.outcomes.status import campaign_status
from campaign.outcomes.status_view import render_status
from campaign.store.db import Database, open_db
from campaign.store.models import Attempt, Campaign, Contact
from campaign.web.app import create_app

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
EVERY = "every"


def stopped_by(reason: StopReason) -> str:
    return f"stop-{reason.value}"


def _state_after(reason: StopReason) -> CampaignState:
    if reason is StopReason.COMPLETED:
        return CampaignState.FINISHED
    if reason is StopReason.PAUSED:
        return CampaignState.PAUSED
    if reason is StopReason.RUNNER_GONE:
        return CampaignState.RUNNING  # with no live runner: read as interrupted
    return CampaignState.INTERRUPTED


def _campaign(db: Database, name: str, state: CampaignState, **columns: object) -> int:
    with db.session() as session:
        campaign = Campaign(
            name=name, state=state, created_at=NOW - timedelta(hours=2),
            started_at=NOW - timedelta(hours=1), settings={"max_attempts": 3},
            source_name=f"{name}.csv", source_columns=["name", "phone"], phone_column="phone",
            requests_used=0, rate_limited=0, **columns,
        )  # fmt: skip
        session.add(campaign)
        session.flush()
        return campaign.id


def _contact(db: Database, campaign_id: int, position: int, **columns: object) -> int:
    number = f"+1202200{position:04d}"
    values: dict[str, object] = {
        "state": ContactState.DONE, "attempts": 0, "import_status": "valid",
    }  # fmt: skip
    values.update(columns)
    with db.session() as session:
        contact = Contact(
            campaign_id=campaign_id, position=position, line=position + 2,
            raw={"name": f"P{position}", "phone": number}, raw_phone=number,
            to_number=number, vars={}, region="US", **values,
        )  # fmt: skip
        session.add(contact)
        session.flush()
        return contact.id


def build(db: Database) -> None:
    """Campaign `every`: a contact with each outcome, one waiting for each reason, a dial
    in each status; and a campaign stopped by each stop reason."""
    campaign_id = _campaign(
        db, EVERY, CampaignState.INTERRUPTED, stop_reason=StopReason.IDLE, stop_detail="x"
    )
    position = 0
    for outcome in Outcome:
        if outcome is Outcome.PENDING:
            continue
        position += 1
        _contact(db, campaign_id, position, outcome=outcome, final_at=NOW)
    for hours, reason in enumerate(WaitReason, start=1):
        position += 1
        _contact(
            db, campaign_id, position, state=ContactState.QUEUED,
            next_attempt_at=NOW + timedelta(hours=hours), wait_reason=reason,
        )  # fmt: skip
    position += 1
    active = _contact(db, campaign_id, position, state=ContactState.ACTIVE)
    with db.session() as session:
        for number, status in enumerate(AttemptStatus, start=1):
            session.add(Attempt(
                campaign_id=campaign_id, contact_id=active, number=number, state=status,
                from_number="+12025550100", to_number="+12022000000",
                requested_at=NOW - timedelta(minutes=number), details_fetched=False,
            ))  # fmt: skip
    for reason in StopReason:
        stored = None if reason is StopReason.RUNNER_GONE else reason
        _campaign(db, stopped_by(reason), _state_after(reason), stop_reason=stored)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_db(tmp_path_factory.mktemp("vocabularies") / "campaign.db")
    build(db)
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def web(store: Database) -> Iterator[TestClient]:
    app = create_app(store, live_max_age=0, charts_in_process=True, clock=FakeClock(NOW))
    with TestClient(app) as client:
        yield client


# --- the surfaces, each as the text a person (or a script) reads ---------------------------

CLOCK = FakeClock(NOW)


def status_text(db: Database, web: TestClient, name: str) -> str:
    console = Console(record=True, width=240)
    console.print(render_status(campaign_status(db, name, clock=CLOCK)))
    return console.export_text()


def status_json(db: Database, web: TestClient, name: str) -> str:
    return json.dumps(campaign_status(db, name, clock=CLOCK).to_json())


def web_page(db: Database, web: TestClient, name: str) -> str:
    with db.read_session() as session:
        campaign_id = session.scalars(select(Campaign.id).where(Campaign.name == name)).one()
    return html.unescape(web.get(f"/campaigns/{campaign_id}").text)


def _section(page: str, heading: str, end: str) -> str:
    start = page.index(f'id="{heading}"')
    return page[start : page.index(end, start)]


def web_outcomes(db: Database, web: TestClient, name: str) -> str:
    """The page's "Contacts by outcome" panel."""
    return _section(web_page(db, web, name), "h-outcomes", "</section>")


def web_waiting(db: Database, web: TestClient, name: str) -> str:
    """The page's "Waiting" table (not the "Next up" list below it)."""
    return _section(web_page(db, web, name), "h-waiting", "Next up")


def export_csv(db: Database, web: TestClient, name: str) -> str:
    return str(results_frame(read_campaign_rows(db, name)).to_csv(index=False))


def report_text(db: Database, web: TestClient, name: str) -> str:
    console = Console(record=True, width=240)
    console.print(render_report(report_figures(db, name, clock=CLOCK)))
    return console.export_text()


Surface = Callable[[Database, TestClient, str], str]


@dataclass(frozen=True)
class Shown:
    """How a surface names a member: its stored value, or its words for people."""

    surface: Surface
    by: str  # "value" | "words"

    def names(self, member: StrEnum, text: str) -> bool:
        wanted = member.value if self.by == "value" else str(member.words)
        return wanted.lower() in text.lower()


SURFACES: dict[type[StrEnum], list[Shown]] = {
    Outcome: [
        Shown(status_text, "value"), Shown(status_json, "value"), Shown(web_outcomes, "value"),
        Shown(export_csv, "value"), Shown(report_text, "value"),
    ],
    WaitReason: [
        Shown(status_text, "words"), Shown(status_json, "value"), Shown(web_waiting, "words"),
        Shown(export_csv, "value"), Shown(report_text, "words"),
    ],
    ContactState: [Shown(status_text, "words"), Shown(status_json, "value")],
    AttemptStatus: [Shown(status_text, "words"), Shown(status_json, "value")],
}  # fmt: skip
STOP_SURFACES = [
    Shown(status_text, "words"), Shown(status_json, "value"), Shown(web_page, "words"),
    Shown(report_text, "words"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("vocabulary", "shown"),
    [(vocabulary, shown) for vocabulary, ways in SURFACES.items() for shown in ways],
    ids=lambda v: getattr(v, "__name__", None) or v.surface.__name__,
)
def test_each_surface_names_every_member(
    store: Database, web: TestClient, vocabulary: type[StrEnum], shown: Shown
) -> None:
    text = shown.surface(store, web, EVERY)
    missing = [member.value for member in vocabulary if not shown.names(member, text)]
    assert missing == [], f"{shown.surface.__name__} does not name {missing}"


@pytest.mark.parametrize("shown", STOP_SURFACES, ids=lambda s: s.surface.__name__)
def test_each_surface_says_why_the_last_run_stopped(
    store: Database, web: TestClient, shown: Shown
) -> None:
    missing = [
        reason.value
        for reason in StopReason
        if not shown.names(reason, shown.surface(store, web, stopped_by(reason)))
    ]
    assert missing == [], f"{shown.surface.__name__} does not say {missing}"


def test_the_fix_is_shown_with_the_reason_until_the_campaign_ended(
    store: Database, web: TestClient
) -> None:
    for reason in StopReason:
        name = stopped_by(reason)
        ended = _state_after(reason).ended
        for surface in (status_text, web_page):
            text = surface(store, web, name)
            if reason.fix and not ended:
                assert reason.fix.lower() in text.lower(), (reason, surface.__name__)
        stop = json.loads(status_json(store, web, name))["stop"]
        assert stop["reason"] == reason.value and stop["fix"] == reason.fix
