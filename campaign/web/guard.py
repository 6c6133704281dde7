"""What stands in front of every page: host check, access token, CSRF, security headers.

- Host: on a loopback bind only the loopback names are served, so a web page elsewhere
  cannot reach the dashboard through DNS rebinding.
- Token: when the server has one (any non-loopback bind), a request needs it as
  `?token=` (then a cookie is set and the token leaves the address bar), as that cookie,
  or as `Authorization: Bearer`; otherwise 401, for pages, actions and assets alike.
- CSRF: each browser gets a random nonce cookie; forms carry HMAC(server secret, nonce),
  and a POST without the matching value (or from another origin) gets 403.
- Headers: a Content-Security-Policy allowing only our own scripts, no framing, no sniffing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, Sequence
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campaign.formats import isolated
from campaign.i18n import gettext_

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
CSRF_FIELD = "csrf"

ErrorPage = Callable[[Request, int, str, str], Response]


class CsrfError(Exception):
    """A POST without this browser's CSRF token, or from another origin."""


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Guard:
    """Pure ASGI middleware (no buffering of responses: downloads stream through)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        allowed_hosts: Sequence[str] | None,
        secret: bytes,
        error_page: ErrorPage,
    ) -> None:
        self.app = app
        self.token = token
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts else None
        self.secret = secret
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        suffix = _cookie_suffix(scope)
        if self.allowed_hosts is not None and _host_name(request) not in self.allowed_hosts:
            response: Response = PlainTextResponse("Unknown host name.", status_code=421)
            await _secured(response)(scope, receive, send)
            return
        set_cookies: list[str] = []
        if self.token is not None:
            given = request.query_params.get("token")
            if given is not None and self._token_ok(given) and request.method in ("GET", "HEAD"):
                await self._welcome(request, suffix)(scope, receive, send)
                return
            if not self._authorized(request, suffix):
                response = self.error_page(
                    request,
                    401,
                    "Access token needed",
                    gettext_(
                        "Open the address %(command)s printed (it ends in %(token)s), or send "
                        "the token as %(header)s."
                    )
                    % {
                        "command": isolated("python -m campaign serve"),
                        "token": isolated("?token=..."),
                        "header": isolated("Authorization: Bearer TOKEN"),
                    },
                )
                response.headers["www-authenticate"] = 'Bearer realm="campaign"'
                await _secured(response)(scope, receive, send)
                return
        nonce = request.cookies.get(f"campaign_csrf{suffix}")
        if not nonce or len(nonce) > 64:
            nonce = secrets.token_urlsafe(24)
            set_cookies.append(_cookie(f"campaign_csrf{suffix}", nonce))
        scope.setdefault("state", {})["csrf_token"] = self.csrf_token(nonce)
        await self.app(scope, receive, _headers_added(send, set_cookies, scope["path"]))

    # --- token --------------------------------------------------------------------------

    def _token_ok(self, given: str) -> bool:
        assert self.token is not None
        return hmac.compare_digest(given.encode(), self.token.encode())

    def _cookie_value(self) -> str:
        assert self.token is not None
        return hashlib.sha256(f"campaign-dashboard:{self.token}".encode()).hexdigest()

    def _authorized(self, request: Request, suffix: str) -> bool:
        cookie = request.cookies.get(f"campaign_auth{suffix}", "")
        if cookie and hmac.compare_digest(cookie.encode(), self._cookie_value().encode()):
            return True
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and bool(value) and self._token_ok(value.strip())

    def _welcome(self, request: Request, suffix: str) -> Response:
        """The token in the URL: remember it in a cookie and drop it from the address bar."""
        rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
        path = "/" + request.url.path.lstrip("/")  # `//host` would leave for another site
        target = path + (f"?{urlencode(rest)}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        response.headers.append(
            "set-cookie", _cookie(f"campaign_auth{suffix}", self._cookie_value())
        )
        return _secured(response)

    # --- CSRF ---------------------------------------------------------------------------

    def csrf_token(self, nonce: str) -> str:
        return hmac.new(self.secret, nonce.encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, form_value: Any) -> None:
    """Raise CsrfError unless the POST carries this browser's token and comes from here."""
    expected = str(request.scope.get("state", {}).get("csrf_token", ""))
    given = form_value if isinstance(form_value, str) else ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise CsrfError(gettext_("the form's security token is missing or stale"))
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if urlsplit(origin).netloc.lower() != host.lower():
            raise CsrfError(
                gettext_("the form was sent from another site (%(origin)s)")
                % {"origin": isolated(str(origin))}
            )


def _host_name(request: Request) -> str:
    host = request.headers.get("host", "")
    if host.startswith("["):
        return host[: host.find("]") + 1].lower()
    return host.rsplit(":", 1)[0].lower() if ":" in host else host.lower()


def _cookie_suffix(scope: Scope) -> str:
    """Cookies are shared by every port of a host: name them after the server's port."""
    server = scope.get("server")
    return f"_{server[1]}" if server and server[1] else ""


def _cookie(name: str, value: str) -> str:
    morsel: SimpleCookie = SimpleCookie()
    morsel[name] = value
    morsel[name]["path"] = "/"
    morsel[name]["httponly"] = True
    morsel[name]["samesite"] = "Strict"
    return morsel.output(header="").strip()


def _secured(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("cache-control", "no-store")
    return response


def _headers_added(
    send: Send, cookies: list[str], path: str
) -> Callable[[Message], Awaitable[None]]:
    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in SECURITY_HEADERS.items():
                if name not in headers:
                    headers[name] = value
            if not path.startswith("/static/") and "cache-control" not in headers:
                headers["cache-control"] = "no-store"
            for cookie in cookies:
                headers.append("set-cookie", cookie)
        await send(message)

    return sender
