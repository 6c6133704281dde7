"""Pause and cancel buttons: POST with the CSRF token; cancel asks first on its own page."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from campaign.campaigns.control import (
    APPLIED,
    CANCEL,
    ControlResult,
    cancel_campaign,
    pause_campaign,
)
from campaign.web import i18n
from campaign.web.context import context_of
from campaign.web.guard import CSRF_FIELD, check_csrf
from campaign.web.lookup import campaign_ref
from campaign.web.templating import render


def _notice(result: ControlResult) -> str:
    if result.action == CANCEL and result.result == APPLIED and result.open_attempts:
        return "cancel-partial"
    return f"{result.action}-{result.result}"


async def _steer(request: Request, action: str) -> Response:
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    context = context_of(request)
    ref = await run_in_threadpool(campaign_ref, context.db, request.path_params["campaign_id"])
    control = pause_campaign if action == "pause" else cancel_campaign
    result = await run_in_threadpool(control, context.db, ref.name, clock=context.clock)
    context.changed(ref.id)
    return RedirectResponse(f"{ref.url}?done={_notice(result)}", status_code=303)


async def pause(request: Request) -> Response:
    return await _steer(request, "pause")


async def cancel(request: Request) -> Response:
    return await _steer(request, "cancel")


def confirm_cancel(request: Request) -> Response:
    context = context_of(request)
    view = context.campaign(request.path_params["campaign_id"], i18n.language_of(request))
    return render(
        request,
        "confirm_cancel.html",
        {
            "view": view,
            "database": context.db.display_name(),
        },
    )


ROUTES = [
    Route("/campaigns/{campaign_id:int}/pause", pause, methods=["POST"]),
    Route("/campaigns/{campaign_id:int}/cancel", confirm_cancel, methods=["GET"]),
    Route("/campaigns/{campaign_id:int}/cancel", cancel, methods=["POST"]),
]
