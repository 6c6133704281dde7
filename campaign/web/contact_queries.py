"""The contacts table: search, outcome filter, sort and pages, in the database.

A page is one indexed query on contacts(campaign_id, position) plus one count, so a
100,000-row campaign answers as fast as a small one. Search looks for the words in the
name columns of the input row and in the phone number as typed and, when the words look
like a phone number, for their digits in the E.164 number.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, cast, func, literal_column, or_, select
from sqlalchemy.sql.elements import UnaryExpression

from campaign.calls.vocab import ContactState, Outcome
from campaign.store.db import Database
from campaign.store.models import Contact
from campaign.web.lookup import CampaignRef, display_name
from campaign.web.params import ContactQuery

_PHONE_LIKE = re.compile(r"^[\d\s+().\-/]+$")
_ESCAPE = "!"


@dataclass(frozen=True)
class ContactLine:
    id: int
    line: int
    name: str
    raw_phone: str | None
    to_number: str | None
    import_status: str
    outcome: str  # `pending` until final
    state: str
    attempts: int
    last_status: str | None
    note: str | None  # why rejected, the error, or a warning
    wait_reason: str | None
    wait_detail: str | None  # e.g. `holiday (Yom Kippur)`
    next_attempt_at: datetime | None
    final_at: datetime | None


@dataclass(frozen=True)
class ContactPage:
    rows: list[ContactLine]
    total: int  # rows matching search and filter
    query: ContactQuery

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))

    @property
    def first_index(self) -> int:
        return (self.query.page - 1) * self.query.per_page + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.rows) - 1 if self.rows else 0


_COLUMNS = (
    Contact.id,
    Contact.line,
    Contact.raw,
    Contact.raw_phone,
    Contact.to_number,
    Contact.import_status,
    Contact.outcome,
    Contact.state,
    Contact.attempts,
    Contact.last_status,
    Contact.error,
    Contact.reason,
    Contact.warning,
    Contact.wait_reason,
    Contact.wait_detail,
    Contact.next_attempt_at,
    Contact.final_at,
)


def contact_page(db: Database, campaign: CampaignRef, query: ContactQuery) -> ContactPage:
    """One page of `campaign`'s input rows as `query` asks."""
    conditions = _conditions(db, campaign, query)
    with db.read_session() as session, session.begin():
        total = int(
            session.scalar(select(func.count()).select_from(Contact).where(*conditions)) or 0
        )
        rows = session.execute(
            select(*_COLUMNS)
            .where(*conditions)
            .order_by(*_order(campaign, query))
            .offset((query.page - 1) * query.per_page)
            .limit(query.per_page)
        ).all()
    return ContactPage(rows=[_row(r, campaign) for r in rows], total=total, query=query)


def waiting_contacts(
    db: Database, campaign: CampaignRef, now: datetime, limit: int = 8
) -> list[ContactLine]:
    """Queued contacts not due yet, soonest first (index on campaign, state, due time); with
    a campaign-wide hold, those it holds (in list order) come first."""
    queued = (Contact.campaign_id == campaign.id, Contact.state == ContactState.QUEUED)
    hold = campaign.hold if campaign.hold is not None and campaign.hold.until > now else None
    after = hold.until if hold is not None else now
    with db.read_session() as session:
        rows: list[Any] = []
        if hold is not None:
            rows += session.execute(
                select(*_COLUMNS)
                .where(
                    *queued,
                    or_(Contact.next_attempt_at.is_(None), Contact.next_attempt_at <= hold.until),
                )
                .order_by(Contact.position)
                .limit(limit)
            ).all()
        rows += session.execute(
            select(*_COLUMNS)
            .where(*queued, Contact.next_attempt_at > after)
            .order_by(Contact.next_attempt_at, Contact.position)
            .limit(limit - len(rows))
        ).all()
    return [_row(r, campaign) for r in rows]


def _row(row: Any, campaign: CampaignRef) -> ContactLine:
    wait_reason, next_attempt_at = row.wait_reason, row.next_attempt_at
    wait_detail = row.wait_detail
    hold = campaign.hold
    if (
        hold is not None
        and row.state == ContactState.QUEUED
        and (next_attempt_at is None or next_attempt_at <= hold.until)
    ):
        wait_reason, next_attempt_at, wait_detail = hold.reason, hold.until, hold.detail
    return ContactLine(
        id=row.id,
        line=row.line,
        name=display_name(row.raw, campaign.name_columns),
        raw_phone=row.raw_phone,
        to_number=row.to_number,
        import_status=row.import_status,
        outcome=row.outcome or Outcome.PENDING,
        state=row.state,
        attempts=row.attempts or 0,
        last_status=row.last_status,
        note=row.reason or row.error or row.warning,
        wait_reason=wait_reason,
        wait_detail=wait_detail,
        next_attempt_at=next_attempt_at,
        final_at=row.final_at,
    )


def _conditions(
    db: Database, campaign: CampaignRef, query: ContactQuery
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Contact.campaign_id == campaign.id]
    if query.outcome == "pending":
        conditions.append(Contact.outcome.is_(None))
    elif query.outcome:
        conditions.append(Contact.outcome == query.outcome)
    if query.search:
        conditions.append(_search(db, campaign, query.search))
    return conditions


def _search(db: Database, campaign: CampaignRef, words: str) -> ColumnElement[bool]:
    """The words in a name column or the phone as typed, or the digits in the E.164 number.

    Reading a name out of each row's JSON costs more than a LIKE on its text, so the text is
    checked first (as typed, and JSON-escaped for non-ASCII) and only matching rows are
    read; the name check then keeps a word found only in another column or a header out.
    """
    case_blind = db.dialect != "sqlite"  # SQLite's LIKE already ignores ASCII case

    def like(column: Any, text: str) -> ColumnElement[bool]:
        pattern = "%" + _escaped(text) + "%"
        if case_blind:
            return column.ilike(pattern, escape=_ESCAPE)
        return column.like(pattern, escape=_ESCAPE)

    options = [like(Contact.raw_phone, words)]
    digits = re.sub(r"\D", "", words)
    if len(digits) >= 3 and _PHONE_LIKE.match(words):  # a number: no name looks like one
        options.append(like(Contact.to_number, digits.lstrip("0") or digits))
        return or_(*options)
    raw_text = cast(Contact.raw, Text)
    in_text = or_(
        *(like(raw_text, form) for form in dict.fromkeys((words, json.dumps(words)[1:-1])))
    )
    names = campaign.name_columns
    options.append(
        and_(in_text, or_(*(like(Contact.raw[name].as_string(), words) for name in names)))
        if names
        else in_text
    )
    return or_(*options)


def _escaped(text: str) -> str:
    return (
        text.replace(_ESCAPE, _ESCAPE * 2).replace("%", f"{_ESCAPE}%").replace("_", f"{_ESCAPE}_")
    )


def _order(campaign: CampaignRef, query: ContactQuery) -> list[UnaryExpression[Any]]:
    by_key: dict[str, list[Any]] = {
        "line": [],
        "name": [func.lower(Contact.raw[column].as_string()) for column in campaign.name_columns],
        "phone": [Contact.to_number],
        "outcome": [func.coalesce(Contact.outcome, literal_column("'pending'"))],
        "attempts": [Contact.attempts],
        "status": [Contact.last_status],
        "final": [Contact.final_at],
    }
    keys = [key.desc() if query.descending else key.asc() for key in by_key[query.sort]]
    # Ties stay in the list's order; sorting by line flips it.
    by_line = query.descending and query.sort == "line"
    return [*keys, Contact.position.desc() if by_line else Contact.position.asc()]
