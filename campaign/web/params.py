"""Reading query parameters strictly: a malformed one is a 400 saying the accepted values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from campaign.formats import isolated
from campaign.i18n import gettext_
from campaign.outcomes.results import OUTCOMES
from campaign.web.errors import BadRequest


def _(message: str) -> str:
    """Marks a string for the catalog; translated where it is shown."""
    return message


#: Contacts table sort keys, as shown in the column headers.
SORT_KEYS = ("line", "name", "phone", "outcome", "attempts", "status", "final")
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
MAX_SEARCH = 200
MAX_PAGE = 10_000_000
#: What the campaign page says after a pause or cancel (the redirect names one of these).
NOTICES = {
    "pause-requested": _(
        "Pause requested. The runner stops dialing within a second, follows "
        "the calls in progress to their end, and leaves the campaign paused."
    ),
    "pause-applied": _(
        "Paused. No runner was working on this campaign; continue it with the resume command below."
    ),
    "pause-unchanged": _("The campaign was already paused."),
    "cancel-requested": _(
        "Cancel requested. The runner stops dialing within a second, follows "
        "the calls in progress to their end, then marks everyone not yet called canceled."
    ),
    "cancel-applied": _("Canceled. Everyone not yet called is marked canceled."),
    "cancel-partial": _(
        "Everyone not yet called is marked canceled, but some calls' outcomes "
        "are not recorded yet: the resume command below records them and finishes the cancel."
    ),
    "cancel-unchanged": _("The campaign was already canceled."),
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
        raise BadRequest(
            gettext_("give %(name)s once, not %(count)s times")
            % {"name": name, "count": len(values)}
        )
    return values[0] if values else None


def parse_int(text: str | None, name: str, *, default: int, low: int, high: int) -> int:
    if text is None or text == "":
        return default
    stripped = text.strip()
    if not (stripped.isascii() and stripped.isdigit()) or not low <= int(stripped) <= high:
        raise BadRequest(
            gettext_("%(name)s must be a whole number from %(low)s to %(high)s, not %(text)s")
            % {
                "name": isolated(name),
                "low": low,
                "high": f"{high:,}",
                "text": isolated(repr(text)),
            }
        )
    return int(stripped)


def parse_contact_query(params: QueryParams) -> ContactQuery:
    search = (_one(params, "q") or "").strip()
    if len(search) > MAX_SEARCH:
        raise BadRequest(
            gettext_("the search is %(length)s characters long; use at most %(most)s")
            % {"length": len(search), "most": MAX_SEARCH}
        )
    if "\x00" in search:
        raise BadRequest(gettext_("the search contains a NUL character; type plain text"))
    outcome = (_one(params, "outcome") or "").strip().lower() or None
    if outcome is not None and outcome not in OUTCOMES:
        raise BadRequest(_one_of("outcome", OUTCOMES, outcome))
    sort = (_one(params, "sort") or "line").strip().lower()
    if sort not in SORT_KEYS:
        raise BadRequest(_one_of("sort", SORT_KEYS, sort))
    order = (_one(params, "order") or "asc").strip().lower()
    if order not in ("asc", "desc"):
        raise BadRequest(
            gettext_("order must be asc or desc, not %(text)s") % {"text": repr(order)}
        )
    per_page = parse_int(
        _one(params, "per_page"), "per_page", default=DEFAULT_PAGE_SIZE, low=1, high=max(PAGE_SIZES)
    )
    if per_page not in PAGE_SIZES:
        raise BadRequest(
            gettext_("per_page must be one of %(values)s")
            % {"values": isolated(", ".join(map(str, PAGE_SIZES)))}
        )
    page = parse_int(_one(params, "page"), "page", default=1, low=1, high=MAX_PAGE)
    return ContactQuery(search, outcome, sort, order == "desc", page, per_page)


def parse_notice(params: QueryParams) -> str | None:
    notice = _one(params, "done")
    if notice is None:
        return None
    if notice not in NOTICES:
        raise BadRequest(_one_of("done", NOTICES, notice))
    return notice


def _one_of(name: str, values: Iterable[str], text: str) -> str:
    """`sort must be one of line, name, not 'x'`, in the reader's language."""
    return gettext_("%(name)s must be one of %(values)s, not %(text)s") % {
        "name": isolated(name),
        "values": isolated(", ".join(values)),
        "text": isolated(repr(text)),
    }
