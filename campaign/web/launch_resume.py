"""Resume an interrupted campaign inside this serve process (as `python -m campaign resume`).

Stopping serve leaves its campaigns interrupted; the new-campaign page lists them with a
button that continues each on the same engine, with its stored settings.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from campaign.campaigns.resume import Resumable, interrupted_campaigns, prepare_resume
from campaign.errors import InputError
from campaign.store.db import Database
from campaign.store.rehearsals import ensure_apart
from campaign.web.context import context_of
from campaign.web.guard import CSRF_FIELD, check_csrf
from campaign.web.launch_state import launch_of
from campaign.web.lookup import campaign_ref

SHOWN = 20


def resumable_here(db: Database) -> list[Resumable]:
    """The newest interrupted campaigns, for the new-campaign page."""
    return interrupted_campaigns(db, limit=SHOWN)


async def resume_here(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    context = context_of(request)
    runners = launch_of(request).runners
    ref = await run_in_threadpool(campaign_ref, context.db, request.path_params["campaign_id"])
    if runners.is_running(ref.id):
        raise InputError(f"campaign {ref.name!r} already runs in this server")
    campaign, settings = await run_in_threadpool(prepare_resume, context.db, ref.name)
    await run_in_threadpool(lambda: ensure_apart(context.db, simulate=settings.simulate))
    runners.start(campaign.id, settings)
    context.changed(campaign.id)
    return RedirectResponse(ref.url, status_code=303)


ROUTES = [Route("/campaigns/{campaign_id:int}/resume-here", resume_here, methods=["POST"])]
