"""One person: their input row, every attempt, and what each connected call brought back.

All of it is what the engine stored; the page never asks the Voicy API (its request budget
belongs to the runner).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from campaign.calls.vocab import AttemptStatus
from campaign.i18n import gettext_
from campaign.outcomes.recipients import recipient_zone
from campaign.outcomes.results import variable_text
from campaign.store.db import Database
from campaign.store.models import Attempt, Contact
from campaign.web.errors import NotFound
from campaign.web.lookup import MAX_ID, CampaignRef, display_name

#: Attempt states in words.
ATTEMPT_STATES = {status.value: status.words for status in AttemptStatus}


@dataclass(frozen=True)
class Turn:
    """One line of a transcript."""

    role: str
    text: str
    at: str | None  # `1:05` into the call
    side: str  # agent | caller | other: where the bubble sits


@dataclass(frozen=True)
class AttemptView:
    number: int
    state: str
    state_words: str
    from_number: str
    to_number: str
    requested_at: datetime
    answered_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    voicy_status: str | None
    category: str | None
    duration_s: float | None
    cost: float | None
    currency: str | None
    call_id: str | None
    error: str | None
    summary: str | None
    turns: list[Turn] = field(default_factory=list)
    transcript_text: str | None = None  # the older API's one-text transcript
    extracted: list[tuple[str, str]] = field(default_factory=list)
    collected: list[tuple[str, str]] = field(default_factory=list)

    @property
    def placed(self) -> bool:
        return self.state != AttemptStatus.NOT_PLACED


@dataclass(frozen=True)
class ContactDetail:
    id: int
    line: int
    name: str
    raw_phone: str | None
    to_number: str | None
    import_status: str
    reason: str | None
    warning: str | None
    duplicate_of_line: int | None
    duplicate_of_id: int | None
    outcome: str
    state: str
    attempts_used: int
    wait_reason: str | None
    wait_detail: str | None
    next_attempt_at: datetime | None
    final_at: datetime | None
    error: str | None
    timezone: str | None
    region: str | None
    #: The zone the person's own times are shown in (their calls, the next one).
    zone: str | None
    originals: list[tuple[str, str]]
    provided: list[tuple[str, str]]  # vars sent to the agent
    attempts: list[AttemptView]


def contact_detail(db: Database, campaign: CampaignRef, contact_id: int) -> ContactDetail:
    with db.read_session() as session, session.begin():
        contact = session.get(Contact, contact_id) if 0 < contact_id <= MAX_ID else None
        if contact is None or contact.campaign_id != campaign.id:
            raise NotFound(
                gettext_(
                    "Campaign %(name)s has no contact number %(id)s. "
                    "Find the person in its contacts table."
                )
                % {"name": campaign.name, "id": contact_id}
            )
        attempts = list(
            session.scalars(
                select(Attempt)
                .where(Attempt.contact_id == contact_id)
                .order_by(Attempt.number, Attempt.id)
            )
        )
        primary_id = None
        if contact.duplicate_of_line is not None:
            primary_id = session.scalar(
                select(Contact.id)
                .where(
                    Contact.campaign_id == campaign.id, Contact.line == contact.duplicate_of_line
                )
                .limit(1)
            )
        return ContactDetail(
            id=contact.id,
            line=contact.line,
            name=display_name(contact.raw, campaign.name_columns),
            raw_phone=contact.raw_phone,
            to_number=contact.to_number,
            import_status=contact.import_status,
            reason=contact.reason,
            warning=contact.warning,
            duplicate_of_line=contact.duplicate_of_line,
            duplicate_of_id=primary_id,
            outcome=contact.outcome or "pending",
            state=contact.state,
            attempts_used=contact.attempts or 0,
            wait_reason=contact.wait_reason,
            wait_detail=contact.wait_detail,
            next_attempt_at=contact.next_attempt_at,
            final_at=contact.final_at,
            error=contact.error,
            timezone=contact.timezone,
            region=contact.region,
            zone=recipient_zone(contact.to_number, contact.timezone),
            originals=_originals(contact.raw, campaign.source_columns),
            provided=_pairs(contact.vars),
            attempts=[_attempt(attempt) for attempt in attempts],
        )


def _originals(raw: Any, columns: tuple[str, ...]) -> list[tuple[str, str]]:
    if not isinstance(raw, dict):
        return []
    headers = list(columns) + [key for key in raw if key not in columns]
    return [(str(h), _text(raw.get(h))) for h in headers if h in raw]


def _pairs(values: Any) -> list[tuple[str, str]]:
    if not isinstance(values, dict):
        return []
    return [(str(k), _text(variable_text(v))) for k, v in sorted(values.items())]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _attempt(attempt: Attempt) -> AttemptView:
    turns, text = _transcript(attempt.transcript)
    return AttemptView(
        number=attempt.number,
        state=attempt.state,
        state_words=ATTEMPT_STATES.get(attempt.state, attempt.state),
        from_number=attempt.from_number,
        to_number=attempt.to_number,
        requested_at=attempt.requested_at,
        answered_at=attempt.answered_at,
        started_at=attempt.started_at,
        ended_at=attempt.ended_at,
        voicy_status=attempt.voicy_status,
        category=attempt.category,
        duration_s=attempt.duration_ms / 1000 if attempt.duration_ms is not None else None,
        cost=attempt.cost,
        currency=attempt.currency,
        call_id=attempt.call_id,
        error=attempt.error,
        summary=attempt.summary,
        turns=turns,
        transcript_text=text,
        extracted=_pairs(attempt.vars_extracted),
        collected=_pairs(attempt.vars_collected),
    )


def _transcript(transcript: Any) -> tuple[list[Turn], str | None]:
    """A transcript as turns; a plain-text transcript (older API) stays text."""
    if transcript is None:
        return [], None
    if isinstance(transcript, str):
        return [], transcript
    turns = []
    for item in transcript if isinstance(transcript, list) else []:
        if isinstance(item, dict):
            role = str(item.get("role") or "?")
            content = item.get("content")
            invocation = item.get("function_invocation")
            if content in (None, "") and isinstance(invocation, dict):
                content = f"[{role} ran {invocation.get('name') or 'a function'}]"
            if content in (None, ""):
                continue
            turns.append(
                Turn(
                    role=role,
                    text=_text(content),
                    at=_offset(item.get("timestamp_ms")),
                    side=_side(role),
                )
            )
        elif item:
            turns.append(Turn(role="?", text=str(item), at=None, side="other"))
    return turns, None


def _side(role: str) -> str:
    lowered = role.lower()
    if lowered in ("agent", "assistant", "bot", "ai"):
        return "agent"
    if lowered in ("caller", "user", "customer", "human", "callee"):
        return "caller"
    return "other"


def _offset(milliseconds: Any) -> str | None:
    if not isinstance(milliseconds, int | float) or isinstance(milliseconds, bool):
        return None
    seconds = int(milliseconds // 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"
