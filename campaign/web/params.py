"""Reading query parameters strictly: a malformed one is a 400 saying the accepted values."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from campaign.outcomes.results import OUTCOMES
from campaign.web.errors import BadRequest

#: Contacts table sort keys, as shown in the column headers.
SORT_KEYS = ("line", "name", "phone", "outcome", "attempts", "status", "final")
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
MAX_SEARCH = 200
MAX_PAGE = 10_000_000
#: What the campaign page says after a pause or cancel (the redirect names one of these).
NOTICES = {
    "pause-requested": "Pause requested. The runner stops dialing within a second, follows "
    "the calls in progress to their end, and leaves the campaign paused.",
    "pause-applied": "Paused. No runner was working on this campaign; continue it with the "
    "resume command below.",
    "pause-unchanged": "The campaign was already paused.",
    "cancel-requested": "Cancel requested. The runner stops dialing within a second, follows "
    "the calls in progress to their end, then marks everyone not yet called canceled.",
    "cancel-applied": "Canceled. Everyone not yet called is marked canceled.",
    "cancel-partial": "Everyone not yet called is marked canceled, but some calls' outcomes "
    "are not recorded yet: the resume command below records them and finishes the cancel.",
    "cancel-unchanged": "The campaign was already canceled.",
}


@dataclass(frozen=True)
class ContactQuery:
    """What the contacts table shows: search, outcome filter, sort and page."""

    search: str = ""
    outcome: str | None = None
    sort: str = "line"
    descending: bool = False
    page: int = 1
    per_page: int = DEFAULT_PAGE_SIZE

    def query_string(self, **changes: object) -> str:
        """`?q=...&page=2` for a link to this view with `changes`, defaults left out."""
        view = replace(self, **changes)  # type: ignore[arg-type]
        pairs: list[tuple[str, str]] = []
        if view.search:
            pairs.append(("q", view.search))
        if view.outcome:
            pairs.append(("outcome", view.outcome))
        if view.sort != "line":
            pairs.append(("sort", view.sort))
        if view.descending:
            pairs.append(("order", "desc"))
        if view.per_page != DEFAULT_PAGE_SIZE:
            pairs.append(("per_page", str(view.per_page)))
        if view.page != 1:
            pairs.append(("page", str(view.page)))
        return f"?{urlencode(pairs)}" if pairs else "?"

    def sorted_by(self, key: str) -> str:
        """The link of a column header: sort by it, or flip the order if it is the sort."""
        descending = not self.descending if key == self.sort else key in ("attempts", "final")
        return self.query_string(sort=key, descending=descending, page=1)


def _one(params: QueryParams, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"give {name} once, not {len(values)} times")
    return values[0] if values else None


def parse_int(text: str | None, name: str, *, default: int, low: int, high: int) -> int:
    if text is None or text == "":
        return default
    stripped = text.strip()
    if not (stripped.isascii() and stripped.isdigit()) or not low <= int(stripped) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high:,}, not {text!r}")
    return int(stripped)


def parse_contact_query(params: QueryParams) -> ContactQuery:
    search = (_one(params, "q") or "").strip()
    if len(search) > MAX_SEARCH:
        raise BadRequest(f"the search is {len(search)} characters long; use at most {MAX_SEARCH}")
    if "\x00" in search:
        raise BadRequest("the search contains a NUL character; type plain text")
    outcome = (_one(params, "outcome") or "").strip().lower() or None
    if outcome is not None and outcome not in OUTCOMES:
        raise BadRequest(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    sort = (_one(params, "sort") or "line").strip().lower()
    if sort not in SORT_KEYS:
        raise BadRequest(f"sort must be one of {', '.join(SORT_KEYS)}, not {sort!r}")
    order = (_one(params, "order") or "asc").strip().lower()
    if order not in ("asc", "desc"):
        raise BadRequest(f"order must be asc or desc, not {order!r}")
    per_page = parse_int(
        _one(params, "per_page"), "per_page", default=DEFAULT_PAGE_SIZE, low=1, high=max(PAGE_SIZES)
    )
    if per_page not in PAGE_SIZES:
        raise BadRequest(f"per_page must be one of {', '.join(map(str, PAGE_SIZES))}")
    page = parse_int(_one(params, "page"), "page", default=1, low=1, high=MAX_PAGE)
    return ContactQuery(search, outcome, sort, order == "desc", page, per_page)


def parse_notice(params: QueryParams) -> str | None:
    notice = _one(params, "done")
    if notice is None:
        return None
    if notice not in NOTICES:
        raise BadRequest(f"done must be one of {', '.join(NOTICES)}, not {notice!r}")
    return notice
