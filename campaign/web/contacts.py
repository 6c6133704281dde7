"""The contacts table of a campaign and the page of one contact."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign.outcomes.results import OUTCOMES
from campaign.outcomes.status_view import WAIT_WORDS
from campaign.web.contact_detail import contact_detail
from campaign.web.contact_queries import contact_page
from campaign.web.context import context_of
from campaign.web.lookup import campaign_ref
from campaign.web.params import PAGE_SIZES, parse_contact_query
from campaign.web.templating import render
from campaign.web.views import outcome_names

#: Column headers of the contacts table: (sort key or None, label).
COLUMNS = (
    ("line", "Line"),
    ("name", "Name"),
    ("phone", "Phone"),
    ("outcome", "Outcome"),
    ("attempts", "Calls"),
    ("status", "Last status"),
    ("final", "Final at"),
    (None, "Note"),
)


def contacts_table(request: Request) -> Response:
    context = context_of(request)
    query = parse_contact_query(request.query_params)
    ref = campaign_ref(context.db, request.path_params["campaign_id"])
    page = contact_page(context.db, ref, query)
    return render(
        request,
        "contacts.html",
        {
            "ref": ref,
            "page": page,
            "query": query,
            "columns": COLUMNS,
            "outcomes": [name for name in outcome_names({}) if name in OUTCOMES],
            "page_sizes": PAGE_SIZES,
            "wait_words": WAIT_WORDS,
            "database": context.db.display_name(),
        },
    )


def contact(request: Request) -> Response:
    context = context_of(request)
    ref = campaign_ref(context.db, request.path_params["campaign_id"])
    detail = contact_detail(context.db, ref, request.path_params["contact_id"])
    return render(
        request,
        "contact.html",
        {
            "ref": ref,
            "c": detail,
            "wait_words": WAIT_WORDS,
            "now": context.clock.now(),
            "database": context.db.display_name(),
        },
    )


ROUTES = [
    Route("/campaigns/{campaign_id:int}/contacts", contacts_table, name="contacts"),
    Route("/campaigns/{campaign_id:int}/contacts/{contact_id:int}", contact, name="contact"),
]
