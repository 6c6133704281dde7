"""Error pages: a sentence saying what went wrong and what to do, never a traceback."""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from campaign.errors import CampaignError, CampaignNotFound
from campaign.web import i18n
from campaign.web.guard import CsrfError
from campaign.web.i18n import gettext_
from campaign.web.templating import render

log = logging.getLogger("campaign.web")


def _(message: str) -> str:
    """Marks a string for the catalog; `error_page` translates it for the reader."""
    return message


TITLES = {
    400: _("Bad request"),
    401: _("Access token needed"),
    403: _("Not allowed"),
    404: _("Not found"),
    405: _("Method not allowed"),
    409: _("Cannot do that now"),
    500: _("Something went wrong"),
    503: _("Database busy"),
}


class BadRequest(HTTPException):
    """A malformed query parameter or form field: 400 with a message saying the fix."""

    def __init__(self, message: str) -> None:
        super().__init__(400, detail=message)


class NotFound(HTTPException):
    def __init__(self, message: str) -> None:
        super().__init__(404, detail=message)


def error_page(request: Request, status: int, title: str, message: str) -> Response:
    """The page (or JSON) for an error, in the reader's language: `title` is one of
    TITLES (translated here); `message` is written by the caller in the request's language
    (handlers run inside `ReaderContext`, except the last-resort 500 one: see below)."""
    title = _translated(request, title)
    if _wants_json(request):
        return JSONResponse({"error": title, "message": message}, status_code=status)
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "message": message},
        status_code=status,
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    message = str(exc.detail) if exc.detail else ""
    if status == 404 and (not message or message == "Not Found"):
        message = gettext_("There is no page at this address. Start again from the campaign list.")
    if status == 405:
        message = gettext_("This address does not accept that kind of request.")
    return error_page(request, status, TITLES.get(status, _("Error")), message)


async def campaign_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CampaignError)
    status = 404 if isinstance(exc, CampaignNotFound) else 409
    return error_page(request, status, TITLES[status], exc.message)


async def csrf_error(request: Request, exc: Exception) -> Response:
    return error_page(
        request,
        403,
        TITLES[403],
        gettext_("Nothing was changed: %(why)s. Reload the page and try again.") % {"why": exc},
    )


async def database_error(request: Request, exc: Exception) -> Response:
    log.warning("database error on %s: %s", request.url.path, exc)
    return error_page(
        request,
        503,
        TITLES[503],
        gettext_(
            "The database did not answer in time (a runner may be writing a lot). "
            "Reload the page in a moment."
        ),
    )


async def server_error(request: Request, exc: Exception) -> Response:
    # Starlette re-raises after this page is sent: the server's console gets the traceback.
    # This handler runs outside `ReaderContext` (Starlette's outermost middleware).
    token = i18n.use(i18n.language_of(request))
    try:
        message = gettext_(
            "The page could not be built (%(error)s). The campaign is not affected; reload "
            "the page, and see the server's console for details."
        ) % {"error": type(exc).__name__}
    finally:
        i18n.reset(token)
    return error_page(request, 500, TITLES[500], message)


EXCEPTION_HANDLERS = {
    HTTPException: http_error,
    CampaignError: campaign_error,
    CsrfError: csrf_error,
    OperationalError: database_error,
    Exception: server_error,
}


def _translated(request: Request, message: str) -> str:
    token = i18n.use(i18n.language_of(request))
    try:
        return gettext_(message)
    finally:
        i18n.reset(token)


def _wants_json(request: Request) -> bool:
    return request.url.path.endswith("/live") or "application/json" in request.headers.get(
        "accept", ""
    )
