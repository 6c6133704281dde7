"""A scripted Voicy API on httpx.MockTransport and a client wired to it and the fake clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from campaign.clock import FakeClock
from campaign.voicy.client import VoicyClient

API_KEY = "voicy_sk_test_9f8e7d6c5b4a3210SECRETabcd"

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class ScriptedAPI:
    """Answers requests in script order (the last answer repeats) and records each request
    with the clock time it arrived at."""

    def __init__(self, clock: FakeClock, answers: list[Answer]) -> None:
        self.clock = clock
        self.answers = answers
        self.requests: list[httpx.Request] = []
        self.times: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.times.append(self.clock.time())
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


@pytest.fixture
def scripted(fake_clock: FakeClock) -> Callable[..., ScriptedAPI]:
    def make(*answers: Answer) -> ScriptedAPI:
        return ScriptedAPI(fake_clock, list(answers))

    return make


@pytest.fixture
def client_for(fake_clock: FakeClock) -> Callable[..., VoicyClient]:
    def make(api: ScriptedAPI, **kw: Any) -> VoicyClient:
        return VoicyClient(API_KEY, transport=api.transport, clock=fake_clock, **kw)

    return make


@pytest.fixture
def api_key() -> str:
    return API_KEY
