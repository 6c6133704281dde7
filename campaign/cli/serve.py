"""`serve`: the dashboard, a local web page to watch and steer campaigns."""

from __future__ import annotations

import secrets
import socket
import threading
import time
import webbrowser
from pathlib import Path
from urllib.parse import quote

import click
from sqlalchemy.engine import make_url

from campaign.cli._base import main
from campaign.cli.status import DB_HELP
from campaign.errors import InputError
from campaign.sockets import listen_socket
from campaign.store.db import Database, open_db
from campaign.store.rehearsals import ensure_apart, rehearsal_db_argument
from campaign.store.url import database_url

DEFAULT_PORT = 8700


def _listen(host: str, port: int) -> socket.socket:
    """Bind now, so a busy port fails with a clear line and port 0 gets its real number."""
    sock = listen_socket(host, port, option="--host", port_option="--port")
    sock.set_inheritable(True)
    return sock


def _url(host: str, port: int, token: str | None) -> str:
    shown = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/" + (f"?token={quote(token)}" if token else "")


@main.command()
@click.option("--db", "db_path", metavar="PATH|URL", help=DB_HELP)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback needs a token.",
)
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@click.option(
    "--token",
    metavar="TOKEN",
    envvar="CAMPAIGN_DASHBOARD_TOKEN",
    help="Access token every request must carry (generated for a non-loopback "
    "--host if not given). Env: CAMPAIGN_DASHBOARD_TOKEN.",
)
@click.option(
    "--simulate",
    is_flag=True,
    help="Campaigns started from the page are rehearsals on the built-in simulator "
    "(no API key), stored in ./rehearsal.db unless --db says otherwise.",
)
def serve(
    db_path: str | None, host: str, port: int, open_browser: bool, token: str | None, simulate: bool
) -> None:
    """Serve the dashboard: live progress, results, transcripts, pause and cancel buttons.

    Reads the same database as `status` while runners work in other processes. It listens
    on this machine only unless --host says otherwise.
    """
    import uvicorn

    from campaign.receiver import WEBHOOK_PATH, webhook_secret
    from campaign.web.app import create_app
    from campaign.web.guard import LOOPBACK_HOSTS, is_loopback

    loopback = is_loopback(host)
    if not loopback and not token:
        token = secrets.token_urlsafe(24)
    if token is not None and len(token) < 8:
        raise InputError("--token is too short: use at least 8 characters (or leave it out)")
    secret = webhook_secret()
    db_argument = rehearsal_db_argument(db_path) if simulate else db_path
    db, fresh = _open_or_create(db_argument)
    if simulate:
        ensure_apart(db, simulate=True)
    sock = _listen(host, port)
    port = sock.getsockname()[1]
    allowed = list(LOOPBACK_HOSTS) if loopback else None
    app = create_app(
        db,
        token=token,
        allowed_hosts=allowed,
        simulate=simulate,
        webhook_secret=secret,
        db_argument=db_argument,
    )
    url = _url(host, port, token)
    click.echo(f"Dashboard for {db.display_name()} at {url}")
    if fresh:
        click.echo(
            f"{db.display_name()} is new and empty: start a first campaign from the "
            "page with New campaign."
        )
    click.echo(
        f"Voicy webhooks: POST {WEBHOOK_PATH}, signed with $VOICY_WEBHOOK_SECRET"
        if secret
        else "Voicy webhooks: off (set VOICY_WEBHOOK_SECRET to receive call_ended here)"
    )
    if not loopback:
        click.echo(
            "Listening beyond this machine: share the address only with people who may "
            "pause or cancel campaigns."
        )
    click.echo("Press Ctrl-C to stop.")
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    )
    if open_browser:
        threading.Thread(target=_open_when_started, args=(server, url), daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn hands Ctrl-C back after its graceful shutdown
        pass
    finally:
        sock.close()
        db.dispose()
    click.echo("Dashboard stopped.")


def _open_or_create(db_argument: str | None) -> tuple[Database, bool]:
    """The database to serve, and whether it was created now: serving a new one lets a
    first campaign be started from the page."""
    url = make_url(database_url(db_argument))
    path = url.database if url.get_backend_name() == "sqlite" else None
    fresh = bool(path) and path != ":memory:" and not Path(str(path)).expanduser().exists()
    return open_db(db_argument), fresh


def _open_when_started(server: object, url: str) -> None:
    for _ in range(100):
        if getattr(server, "started", False):
            webbrowser.open(url)
            return
        time.sleep(0.05)
