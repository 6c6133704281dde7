"""The dashboard as an ASGI app: `create_app(db)` and serve it with any ASGI server.

    from campaign.store.db import open_db
    from campaign.web.app import create_app
    app = create_app(open_db("campaign.db"), token="s3cret")   # uvicorn.run(app)

It only reads the database, except for pause and cancel, and never talks to the Voicy API.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import partial

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from campaign.clock import Clock, SystemClock
from campaign.receiver.app import WebhookReceiver, WebhookRoute
from campaign.receiver.relay import DeliveryRelay
from campaign.store.db import Database
from campaign.web import campaigns, contacts, downloads, launch, steering
from campaign.web.chart_cache import ChartCache
from campaign.web.context import WebContext, compute_view
from campaign.web.errors import EXCEPTION_HANDLERS, error_page
from campaign.web.guard import Guard
from campaign.web.i18n import ReaderContext
from campaign.web.launch_runner import BrowserRunners
from campaign.web.launch_state import LaunchState
from campaign.web.snapshots import Snapshots
from campaign.web.templating import STATIC_DIR
from campaign.web.uploads import DEFAULT_UPLOAD_LIMIT, UploadStore


def create_app(
    db: Database,
    *,
    token: str | None = None,
    allowed_hosts: Sequence[str] | None = None,
    clock: Clock | None = None,
    live_max_age: float = 1.0,
    chart_interval: float = 10.0,
    charts_in_process: bool | None = None,
    simulate: bool = False,
    upload_limit: int = DEFAULT_UPLOAD_LIMIT,
    db_argument: str | None = None,
    webhook_secret: str | None = None,
) -> Starlette:
    """The dashboard over `db`.

    `token`: when given, every page, action and asset needs it (see `campaign.web.guard`).
    `allowed_hosts`: Host header names served (None: any), against DNS rebinding.
    `live_max_age`: how stale (seconds) a live view may be; 0 computes on every request.
    `charts_in_process`: draw charts in a thread here rather than in a worker process
    (default: only for an in-memory database, which no other process can open).
    `simulate`: campaigns started from the browser call the built-in simulator.
    `upload_limit`: largest list upload in bytes (see `campaign.web.launch`).
    `db_argument`: the `--db` serve was given, repeated in the resume commands shown.
    `webhook_secret`: receive Voicy's call_ended at `POST /webhooks/voicy` (see
    `campaign.receiver`); that path skips the host/token/CSRF guard, it checks a signature.
    """
    clock = clock or SystemClock()
    context = WebContext(
        db=db,
        clock=clock,
        views=Snapshots(
            partial(compute_view, db, clock, db_argument),
            max_age=live_max_age,
            background=live_max_age > 0,
        ),
        charts=ChartCache(
            db,
            clock,
            min_interval=chart_interval,
            in_process=_in_memory(db) if charts_in_process is None else charts_in_process,
        ),
    )

    # A delivery stored by the route below wakes the campaigns this server runs at once.
    relay = DeliveryRelay() if webhook_secret else None
    launch_state = LaunchState(
        UploadStore(), BrowserRunners(db, relay=relay), simulate=simulate, upload_limit=upload_limit
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            async with launch_state.runners.running():
                yield
        finally:
            launch_state.uploads.close()
            context.close()

    app = Starlette(
        routes=[
            *campaigns.ROUTES,
            *steering.ROUTES,
            *downloads.ROUTES,
            *contacts.ROUTES,
            *launch.ROUTES,
            Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[
            Middleware(ReaderContext),
            Middleware(
                WebhookRoute,
                receiver=WebhookReceiver(db, webhook_secret, clock=clock, on_delivery=relay)
                if webhook_secret
                else None,
            ),
            Middleware(
                Guard,
                token=token,
                allowed_hosts=allowed_hosts,
                secret=secrets.token_bytes(32),
                error_page=error_page,
            ),
        ],
        exception_handlers={**EXCEPTION_HANDLERS, **launch.EXCEPTION_HANDLERS},
        lifespan=lifespan,
    )
    app.state.web = context
    app.state.launch = launch_state
    return app


def _in_memory(db: Database) -> bool:
    """An in-memory SQLite database exists in this process only: draw charts here."""
    return db.dialect == "sqlite" and db.engine.url.database in (None, "", ":memory:")
