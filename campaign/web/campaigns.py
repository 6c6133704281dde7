"""The campaign list and the campaign page, their live JSON, and the charts fragment."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from campaign.calls.vocab import WaitReason
from campaign.outcomes.status_view import REHEARSAL_WORDS
from campaign.web import i18n
from campaign.web.context import context_of
from campaign.web.errors import BadRequest
from campaign.web.params import NOTICES, parse_notice
from campaign.web.templating import iso, render
from campaign.web.views import outcome_names

#: Seconds between two polls of a live endpoint by the page's script.
POLL_SECONDS = 1.0
_VERSION = re.compile(r"^[\w.-]{1,64}$")


def campaign_list(request: Request) -> Response:
    context = context_of(request)
    context.charts.warm()  # a campaign page, with charts, is likely the next request
    rows = context.campaign_list(i18n.language_of(request))
    return render(
        request,
        "campaigns.html",
        {
            "rows": rows,
            "poll_ms": int(POLL_SECONDS * 2000),
            "database": context.db.display_name(),
        },
    )


def campaign_list_live(request: Request) -> Response:
    context = context_of(request)
    rows = context.campaign_list(i18n.language_of(request))
    return JSONResponse(
        {"as_of": iso(context.clock.now()), "campaigns": [row.to_json() for row in rows]}
    )


def campaign_page(request: Request) -> Response:
    context = context_of(request)
    notice = parse_notice(request.query_params)
    context.charts.warm()
    view = context.campaign(request.path_params["campaign_id"], i18n.language_of(request))
    return render(
        request,
        "campaign.html",
        {
            "view": view,
            "outcome_names": outcome_names(view.status.outcomes),
            "wait_reasons": list(WaitReason),
            "notice": i18n.gettext_(NOTICES[notice]) if notice in NOTICES else None,
            "poll_ms": int(POLL_SECONDS * 1000),
            "database": context.db.display_name(),
            "rehearsal_words": REHEARSAL_WORDS,
        },
    )


def campaign_live(request: Request) -> Response:
    view = context_of(request).campaign(
        request.path_params["campaign_id"], i18n.language_of(request)
    )
    return JSONResponse(view.to_json())


def campaign_charts(request: Request) -> Response:
    """The charts as an HTML fragment (`?fragment=1`, for the page's script) or a page."""
    context = context_of(request)
    campaign_id = request.path_params["campaign_id"]
    view = context.campaign(campaign_id, i18n.language_of(request))
    asked = request.query_params.get("v")  # only busts caches: the server knows its data
    if asked is not None and not _VERSION.match(asked):
        raise BadRequest("v must be the charts version the live update gave (letters, digits, -)")
    version = view.charts_version
    fragment = request.query_params.get("fragment")
    if fragment not in (None, "1"):
        raise BadRequest("fragment must be 1 or left out")
    settled = view.state != "running"
    zone = _zone(request.query_params.get("tz"))
    language = i18n.language_of(request)
    drawn = context.charts.get(campaign_id, version, settled=settled, zone=zone, language=language)
    if fragment:
        # A stopped campaign's charts are its last word: an older drawing that finished
        # meanwhile is not them (the page would keep it for good), so ask again.
        if drawn is None or (settled and drawn.version != version):
            return Response(
                f'<p class="muted">{i18n.gettext_("Drawing the charts…")}</p>',
                status_code=202,
                media_type="text/html",
                headers={"retry-after": "2"},
            )
        return Response(drawn.html, media_type="text/html")
    return render(
        request,
        "charts_page.html",
        {
            "view": view,
            "charts_html": Markup(drawn.html) if drawn else None,
            "database": context.db.display_name(),
        },
    )


def _zone(value: str | None) -> str | None:
    """The reader's IANA time zone the page's script sends (`tz`), checked; None: UTC."""
    if not value or value == "UTC":
        return None
    if len(value) > 64:
        raise BadRequest("tz must be an IANA time zone name such as Asia/Jerusalem")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest("tz must be an IANA time zone name such as Asia/Jerusalem") from None
    return value


ROUTES = [
    Route("/", campaign_list, name="campaigns"),
    Route("/live", campaign_list_live),
    Route("/campaigns/{campaign_id:int}", campaign_page, name="campaign"),
    Route("/campaigns/{campaign_id:int}/live", campaign_live),
    Route("/campaigns/{campaign_id:int}/charts", campaign_charts),
]
