"""The async Voicy API client: one typed method per endpoint.

A dial is sent exactly once: the API takes no idempotency key, so a retried call-dial could
ring a person twice; its failures reach the caller with their placement (see errors.py).
Reads are idempotent and retried on the injected clock (see _retry.py). Every HTTP attempt
is first announced to `before_request` (the engine gates it on the one request budget the
key shares across endpoints) and every answer is reported to `on_response`.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Mapping
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import httpx

from campaign import __version__
from campaign.clock import Clock, SystemClock
from campaign.errors import InputError
from campaign.voicy._error_mapping import redact, status_error, transport_error
from campaign.voicy._retry import read_retrying
from campaign.voicy.errors import UnexpectedResponse, mask_key
from campaign.voicy.keys import MISSING_KEY, api_key_from_env
from campaign.voicy.models import (
    Agent,
    CallDetail,
    CallPage,
    CallSummary,
    DialResult,
    RateLimit,
)

DEFAULT_BASE_URL = "https://api.voicy.co/functions/v1"
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
MAX_PAGE_SIZE = 1000
USER_AGENT = f"campaign/{__version__}"

Endpoint = Literal["call-dial", "call-get", "call-list", "agent-get", "agent-list"]
BeforeRequest = Callable[[str], Awaitable[None]]
OnResponse = Callable[[str, int, RateLimit | None], None]

_T = TypeVar("_T")

log = logging.getLogger("campaign.voicy")


class VoicyClient:
    """Typed access to call-dial, call-get, call-list, agent-get and agent-list."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        clock: Clock | None = None,
        read_retries: int = 4,
        before_request: BeforeRequest | None = None,
        on_response: OnResponse | None = None,
    ) -> None:
        if not api_key or not api_key.strip():
            raise InputError(MISSING_KEY)
        if not base_url.startswith(("http://", "https://")):
            raise InputError(
                f"the Voicy base URL {base_url!r} is not an http(s) URL: "
                f"set VOICY_BASE_URL to something like {DEFAULT_BASE_URL}"
            )
        if read_retries < 0:
            raise ValueError("read_retries must be 0 or more")
        self._api_key = api_key.strip()
        self.base_url = base_url.rstrip("/")
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._read_retries = read_retries
        #: Awaited before every HTTP attempt; settable after construction.
        self.before_request = before_request
        #: Called after every answer, errors included; settable after construction.
        self.on_response = on_response
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/",
            transport=transport,
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {self._api_key}",
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
            },
        )
        #: Rate headers of the latest answer that carried them.
        self.last_rate_limit: RateLimit | None = None
        #: HTTP attempts made (each read retry counts: each costs the request budget).
        self.requests_sent = 0
        #: 429 answers received.
        self.rate_limited_count = 0

    @classmethod
    def from_env(cls, base_url: str | None = None, **kw: Any) -> VoicyClient:
        """A client for VOICY_API_KEY at `base_url`, else VOICY_BASE_URL, else the default."""
        api_key = api_key_from_env()
        url = base_url or os.environ.get("VOICY_BASE_URL", "").strip() or DEFAULT_BASE_URL
        return cls(api_key, url, **kw)

    def __repr__(self) -> str:
        return f"VoicyClient(base_url={self.base_url!r}, api_key={mask_key(self._api_key)!r})"

    @property
    def key_fingerprint(self) -> str:
        """The key's sha256: what may be stored or shared about a key, never the key."""
        return hashlib.sha256(self._api_key.encode()).hexdigest()

    async def __aenter__(self) -> VoicyClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- endpoints -------------------------------------------------------------------------

    async def dial(
        self,
        from_number: str,
        to_number: str,
        *,
        vars_provided: Mapping[str, Any] | None = None,
        override_agent_id: str | None = None,
    ) -> DialResult:
        """Place one call. Sent exactly once: on failure, `error.placement` says whether
        the call may exist ("unknown": reconcile from call-list, never redial blindly)."""
        body: dict[str, Any] = {"from_number": from_number, "to_number": to_number}
        if vars_provided is not None:
            body["vars_provided"] = dict(vars_provided)
        if override_agent_id is not None:
            body["override_agent_id"] = override_agent_id
        response = await self._attempt("call-dial", "POST", "call-dial", body)
        return self._parse("call-dial", response, DialResult.from_json)

    async def get_call(self, call_id: str) -> CallDetail:
        response = await self._read("call-get", "GET", f"call-get/{_segment(call_id)}")
        return self._parse(
            "call-get", response, lambda data: CallDetail.from_json(_unwrap(data, "call"))
        )

    async def list_calls(
        self,
        *,
        agent_ids: Iterable[str] | str | None = None,
        statuses: Iterable[str] | str | None = None,
        direction: str | None = None,
        start_after_ms: int | None = None,
        start_before_ms: int | None = None,
        include_test_calls: bool | None = None,
        sort_order: str = "descending",
        limit: int = 50,
        pagination_key: str | None = None,
    ) -> CallPage:
        """One page of calls; `next_pagination_key` is set while the page came back full."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}, not {limit}")
        if sort_order not in ("ascending", "descending"):
            raise ValueError(f"sort_order must be 'ascending' or 'descending', not {sort_order!r}")
        criteria: dict[str, Any] = {}
        if agent_ids is not None:
            criteria["agent_id"] = _str_list(agent_ids)
        if statuses is not None:
            criteria["call_status"] = _str_list(statuses)
        if direction is not None:
            criteria["direction"] = [direction]
        if start_after_ms is not None or start_before_ms is not None:
            window: dict[str, int] = {}
            if start_after_ms is not None:
                window["lower_threshold"] = int(start_after_ms)
            if start_before_ms is not None:
                window["upper_threshold"] = int(start_before_ms)
            criteria["start_timestamp"] = window
        if include_test_calls is not None:
            criteria["include_test_calls"] = include_test_calls
        body: dict[str, Any] = {"sort_order": sort_order, "limit": limit}
        if criteria:
            body["filter_criteria"] = criteria
        if pagination_key is not None:
            body["pagination_key"] = pagination_key
        response = await self._read("call-list", "POST", "call-list", body)
        return self._parse("call-list", response, lambda data: _call_page(data, limit))

    async def iter_calls(
        self,
        *,
        agent_ids: Iterable[str] | str | None = None,
        statuses: Iterable[str] | str | None = None,
        direction: str | None = None,
        start_after_ms: int | None = None,
        start_before_ms: int | None = None,
        include_test_calls: bool | None = None,
        sort_order: str = "descending",
        page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncGenerator[CallSummary, None]:
        """Every matching call, page after page (each page is one request)."""
        agent_ids = None if agent_ids is None else _str_list(agent_ids)
        statuses = None if statuses is None else _str_list(statuses)
        key: str | None = None
        seen_keys: set[str] = set()
        while True:
            page = await self.list_calls(
                agent_ids=agent_ids,
                statuses=statuses,
                direction=direction,
                start_after_ms=start_after_ms,
                start_before_ms=start_before_ms,
                include_test_calls=include_test_calls,
                sort_order=sort_order,
                limit=page_size,
                pagination_key=key,
            )
            for call in page.calls:
                yield call
            key = page.next_pagination_key
            if key is None:
                return
            if key in seen_keys:  # a server ignoring pagination_key would loop forever
                log.warning("call-list returned pagination key %s twice; stopping", key)
                return
            seen_keys.add(key)

    async def get_agent(self, agent_id: str) -> Agent:
        response = await self._read("agent-get", "GET", f"agent-get/{_segment(agent_id)}")
        return self._parse(
            "agent-get", response, lambda data: Agent.from_json(_unwrap(data, "agent"))
        )

    async def list_agents(self) -> list[Agent]:
        response = await self._read("agent-list", "GET", "agent-list")
        return self._parse("agent-list", response, _agents)

    # --- one exchange ------------------------------------------------------------------------

    async def _read(
        self, endpoint: Endpoint, method: str, path: str, body: Any = None
    ) -> httpx.Response:
        """An idempotent request, retried per _retry.read_retrying."""
        retrying = read_retrying(self._clock, self._read_retries)
        response: httpx.Response = await retrying(self._attempt, endpoint, method, path, body)
        return response

    async def _attempt(
        self, endpoint: Endpoint, method: str, path: str, body: Any = None
    ) -> httpx.Response:
        """One HTTP attempt: a 2xx answer, or the error tree's exception."""
        # Built first, so a body that cannot be serialised fails before costing budget.
        request = self._http.build_request(method, path, json=body)
        if self.before_request is not None:
            await self.before_request(endpoint)
        self.requests_sent += 1
        try:
            response = await self._http.send(request)
        except httpx.HTTPError as exc:
            raise transport_error(endpoint, exc, secret=self._api_key) from exc
        rate_limit = RateLimit.from_headers(response.headers)
        if rate_limit is not None:
            self.last_rate_limit = rate_limit
        if response.status_code == 429:
            self.rate_limited_count += 1
        log.debug("%s %s -> %d", method, endpoint, response.status_code)
        self._report(endpoint, response.status_code, rate_limit)
        if not response.is_success:
            raise status_error(
                endpoint, response, rate_limit, now=self._clock.time(), secret=self._api_key
            )
        return response

    def _report(self, endpoint: str, status_code: int, rate_limit: RateLimit | None) -> None:
        if self.on_response is None:
            return
        try:
            self.on_response(endpoint, status_code, rate_limit)
        except Exception:
            # A faulty observer must not turn a placed call into an exception: the dial's
            # answer (its call_id) would be lost.
            log.exception("on_response callback failed for %s", endpoint)

    def _parse(
        self, endpoint: Endpoint, response: httpx.Response, parse: Callable[[Any], _T]
    ) -> _T:
        try:
            return parse(response.json())
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            message = (
                f"{endpoint}: HTTP {response.status_code} came with a body that is not the "
                f"expected JSON ({type(exc).__name__}: {exc}); check VOICY_BASE_URL points "
                "at the Voicy API"
            )
            raise UnexpectedResponse(
                redact(message, self._api_key),
                status_code=response.status_code,
                endpoint=endpoint,
            ) from exc


# --- body shapes ---------------------------------------------------------------------------


def _segment(value: str) -> str:
    if not value:
        raise ValueError("an id is required")
    return quote(str(value), safe="")


def _str_list(values: Iterable[str] | str) -> list[str]:
    return [values] if isinstance(values, str) else [str(v) for v in values]


def _unwrap(data: Any, wrapper: str) -> Mapping[str, Any]:
    """The object itself, also when an API version wraps it as {"call": {...}}."""
    if not isinstance(data, Mapping):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    inner = data.get(wrapper)
    if isinstance(inner, Mapping) and not (data.keys() & {"call_id", "agent_id", "id"}):
        return inner
    return data


def _list_of_objects(data: Any, *keys: str) -> list[Mapping[str, Any]]:
    """The list itself, or the first of `keys` holding one; non-objects are skipped."""
    items = data
    if isinstance(data, Mapping):
        items = next((data[k] for k in keys if isinstance(data.get(k), list)), None)
    if not isinstance(items, list):
        raise TypeError(f"expected a list under one of {keys}")
    return [item for item in items if isinstance(item, Mapping)]


def _call_page(data: Any, limit: int) -> CallPage:
    calls = [CallSummary.from_json(c) for c in _list_of_objects(data, "calls", "data")]
    total = data.get("total_count") if isinstance(data, Mapping) else None
    full = len(calls) >= limit
    return CallPage(
        calls=calls,
        total_count=total if isinstance(total, int) and not isinstance(total, bool) else None,
        next_pagination_key=calls[-1].call_id if calls and full else None,
    )


def _agents(data: Any) -> list[Agent]:
    return [Agent.from_json(a) for a in _list_of_objects(data, "agents", "data")]
