"""The simulator's webhook sender: Voicy's call_ended, posted with a real sender's faults.

    sender = WebhookSender(world, "http://127.0.0.1:8790/webhooks/voicy", secret,
                           faults=WebhookFaults(p_lost=0.15, p_repeated=0.10))
    tg.start_soon(sender.run)            # or, on a fake clock: await sender.send_due()

Each call the world creates gets its deliveries planned the moment it is dialed (from a seeded
stream per number and attempt, so the same seed plans the same faults), due when post-call
processing ends: `processing_seconds` after the hang-up. The body is what call-get answers
then, `{"event": "call_ended", "call": {...}}`, signed `sha256=<hex HMAC of the body>`.

Faults, as a real sender has them (Voicy documents no retries, order, or delivery for calls
that never connected):
- scope `connected`: only connected calls fire (busy / no_answer / error get nothing);
  `all`: every ended call fires;
- lost (`p_lost`): the genuine delivery never goes;
- repeated (`p_repeated`): the same bytes again, `repeat_after_seconds` later;
- late (`p_late`): sent `late_seconds` after it was due;
- reordered (`reorder_seconds`): every delivery waits a random 0..reorder_seconds more, so a
  call that ended later may be told first;
- forged (`p_forged`): one more delivery for the real call id, its content altered (marked
  with `FORGED_MARKER`), half of them signed with a wrong key, half carrying the genuine
  signature over altered bytes. A correct receiver refuses both (401).

Ground truth: `planned` (call id → its deliveries), `sent` (each post and its answer),
`lost_call_ids`, and `counts`. A failed post (receiver down, timeout) is recorded, not
retried: it is one more lost delivery.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
import threading
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar, Literal

import anyio
import httpx

from campaign.clock import Clock
from campaign.simulator.calls import SimCall
from campaign.simulator.shapes import detail_json
from campaign.simulator.world import World
from campaign.voicy.webhooks import CALL_ENDED, EVENT_HEADER, SIGNATURE_HEADER, sign

Scope = Literal["connected", "all"]
DeliveryKind = Literal["genuine", "repeat", "forged_signature", "forged_content"]
FORGED_MARKER = "FORGED-BY-SIMULATOR"
#: Seconds from a hang-up to its delivery (post-call processing: summary, extraction), by
#: default; Voicy does not say, so `processing=LOW-HIGH` in the faults' spec changes it.
PROCESSING_SECONDS = (1.0, 4.0)


@dataclass(frozen=True)
class WebhookFaults:
    scope: Scope = "connected"
    p_lost: float = 0.0
    p_repeated: float = 0.0
    p_late: float = 0.0
    p_forged: float = 0.0
    reorder_seconds: float = 0.0
    late_seconds: tuple[float, float] = (30.0, 300.0)
    repeat_after_seconds: tuple[float, float] = (1.0, 30.0)
    processing_seconds: tuple[float, float] = PROCESSING_SECONDS

    def __post_init__(self) -> None:
        if self.scope not in ("connected", "all"):
            raise ValueError(f"webhook scope must be connected or all, not {self.scope!r}")
        for name in ("p_lost", "p_repeated", "p_late", "p_forged"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"webhook {name} must be between 0 and 1")
        if self.reorder_seconds < 0:
            raise ValueError("webhook reorder_seconds must not be negative")
        for name in ("late_seconds", "repeat_after_seconds", "processing_seconds"):
            low, high = getattr(self, name)
            if low < 0 or high < low:
                raise ValueError(f"webhook {name} must be (low, high) with 0 <= low <= high")

    #: Names in a spec string (`lost=0.15,repeated=0.1,scope=all`) → field names.
    _SPEC_NAMES: ClassVar[dict[str, str]] = {
        "scope": "scope",
        "lost": "p_lost",
        "repeated": "p_repeated",
        "late": "p_late",
        "forged": "p_forged",
        "reorder": "reorder_seconds",
        "processing": "processing_seconds",
    }

    @classmethod
    def from_spec(cls, spec: str) -> WebhookFaults:
        """`lost=0.15,repeated=0.1,late=0.05,forged=0.02,reorder=5,scope=connected|all`,
        `processing=0.2-1` (seconds from the hang-up to the delivery: LOW-HIGH, or one value)."""
        values: dict[str, Any] = {}
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            name, sep, value = part.partition("=")
            key = cls._SPEC_NAMES.get(name.strip().lower())
            if not sep or key is None:
                known = ", ".join(cls._SPEC_NAMES)
                raise ValueError(f"webhook fault {part!r}: use NAME=VALUE with NAME one of {known}")
            try:
                if key == "scope":
                    values[key] = value.strip()
                elif key == "processing_seconds":
                    low, _, high = value.strip().partition("-")
                    values[key] = (float(low), float(high or low))
                else:
                    values[key] = float(value)
            except ValueError:
                raise ValueError(f"webhook fault {part!r}: {value!r} is not a number") from None
        return cls(**values)

    def describe(self) -> str:
        parts = [f"scope={self.scope}"]
        for name, key in self._SPEC_NAMES.items():
            value = getattr(self, key)
            if key == "processing_seconds":
                if value != PROCESSING_SECONDS:
                    parts.append(f"{name}={value[0]:g}-{value[1]:g}")
            elif key != "scope" and value:
                parts.append(f"{name}={value:g}")
        return ",".join(parts)

    def with_overrides(self, **overrides: Any) -> WebhookFaults:
        known = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in overrides.items() if k in known and v is not None})


NO_WEBHOOK_FAULTS = WebhookFaults()


@dataclass(frozen=True)
class PlannedDelivery:
    due: float  # world clock seconds
    call_id: str
    kind: DeliveryKind
    late: bool = False


@dataclass(frozen=True)
class SentDelivery:
    call_id: str
    kind: DeliveryKind
    due: float
    sent_at: float
    status_code: int | None  # None: no answer (connection refused, timeout)
    error: str | None = None


@dataclass
class _Pending:
    planned: PlannedDelivery
    call: SimCall
    content_at: float


@dataclass
class WebhookSender:
    """Posts each planned delivery of `world`'s calls to `url`, signed with `secret`."""

    world: World
    url: str
    secret: str = field(repr=False)
    faults: WebhookFaults = NO_WEBHOOK_FAULTS
    seed: int | None = None
    transport: httpx.AsyncBaseTransport | None = field(default=None, repr=False)
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if not self.secret:
            raise ValueError("the webhook sender needs a signing secret")
        self._seed = self.world.seed if self.seed is None else self.seed
        self._lock = threading.Lock()
        self._heap: list[tuple[float, int, _Pending]] = []
        self._order = itertools.count()
        self._bodies: dict[str, bytes] = {}
        self.planned: dict[str, list[PlannedDelivery]] = {}
        self.lost_call_ids: set[str] = set()
        self.sent: list[SentDelivery] = []
        self._in_flight = 0
        for call in self.world.calls:
            self._plan(call)
        self.world.call_listeners.append(self._plan)

    @property
    def clock(self) -> Clock:
        return self.world.clock

    def close(self) -> None:
        """Stop planning deliveries for new calls."""
        if self._plan in self.world.call_listeners:
            self.world.call_listeners.remove(self._plan)

    # --- planning (called under the world's lock, from any thread) ----------------------

    def _plan(self, call: SimCall) -> None:
        f = self.faults
        rng = random.Random(f"webhooks:{self._seed}|{call.to_number}|{call.attempt_index}")
        # Draw everything every time, so one knob never shifts another's draws.
        processing = rng.uniform(*f.processing_seconds)
        lost = rng.random() < f.p_lost
        late = rng.random() < f.p_late
        late_by = rng.uniform(*f.late_seconds)
        shuffle = rng.uniform(0.0, f.reorder_seconds)
        repeated = rng.random() < f.p_repeated
        repeat_after = rng.uniform(*f.repeat_after_seconds)
        forged = rng.random() < f.p_forged
        forged_kind: DeliveryKind = "forged_signature" if rng.random() < 0.5 else "forged_content"
        if f.scope == "connected" and not call.connected:
            return
        content_at = call.end + processing
        due = content_at + (late_by if late else 0.0) + shuffle
        planned: list[PlannedDelivery] = []
        if lost:
            self.lost_call_ids.add(call.call_id)
        else:
            planned.append(PlannedDelivery(due, call.call_id, "genuine", late))
            if repeated:
                planned.append(PlannedDelivery(due + repeat_after, call.call_id, "repeat", late))
        if forged:
            # Ahead of the genuine one: a receiver must not let it take the call's place.
            planned.append(PlannedDelivery(call.end + processing / 2, call.call_id, forged_kind))
        with self._lock:
            self.planned[call.call_id] = planned
            for p in planned:
                heapq.heappush(
                    self._heap, (p.due, next(self._order), _Pending(p, call, content_at))
                )

    # --- sending ------------------------------------------------------------------------

    def next_due(self) -> float | None:
        with self._lock:
            return self._heap[0][0] if self._heap else None

    def _take_due(self, now: float) -> list[_Pending]:
        with self._lock:
            due: list[_Pending] = []
            while self._heap and self._heap[0][0] <= now:
                due.append(heapq.heappop(self._heap)[2])
            self._in_flight += len(due)  # until each post has its answer
            return due

    async def send_due(self, client: httpx.AsyncClient | None = None) -> list[SentDelivery]:
        """Post every delivery due by now, in due order; returns what was sent."""
        due = self._take_due(self.clock.time())
        if not due:
            return []
        async with self._client(client) as http:
            return [await self._post(http, pending) for pending in due]

    async def run(self, *, tick: float = 1.0) -> None:
        """Send deliveries as they fall due, each in its own task (a slow answer delays no
        other delivery), until cancelled. For a compressed or real clock."""
        async with self._client(None) as http, anyio.create_task_group() as tg:
            while True:
                for pending in self._take_due(self.clock.time()):
                    tg.start_soon(self._post, http, pending)
                nxt = self.next_due()
                now = self.clock.time()
                await self.clock.sleep(tick if nxt is None else max(0.0, min(tick, nxt - now)))

    @property
    def idle(self) -> bool:
        """Nothing planned is left to send and no post is waiting for its answer."""
        return self.next_due() is None and self._in_flight == 0

    @asynccontextmanager
    async def _client(self, given: httpx.AsyncClient | None) -> AsyncIterator[httpx.AsyncClient]:
        if given is not None:
            yield given
            return
        async with httpx.AsyncClient(transport=self.transport, timeout=self.timeout) as client:
            yield client

    async def _post(self, http: httpx.AsyncClient, pending: _Pending) -> SentDelivery:
        planned = pending.planned
        genuine = self._body(pending)
        body, signature = genuine, sign(self.secret, genuine)
        if planned.kind == "forged_signature":
            body = _forged(genuine)
            signature = sign(self.secret + "-not-the-secret", body)
        elif planned.kind == "forged_content":
            body = _forged(genuine)  # under the genuine body's signature
        headers = {
            "content-type": "application/json",
            EVENT_HEADER: CALL_ENDED,
            SIGNATURE_HEADER: signature,
            "user-agent": "voicy-simulator-webhooks/1",
        }
        sent_at = self.clock.time()
        try:
            answer = await http.post(self.url, content=body, headers=headers)
            status, error = answer.status_code, None
        except httpx.HTTPError as exc:
            status, error = None, f"{type(exc).__name__}: {exc}"
        record = SentDelivery(planned.call_id, planned.kind, planned.due, sent_at, status, error)
        with self._lock:
            self.sent.append(record)
            self._in_flight -= 1
        return record

    def _body(self, pending: _Pending) -> bytes:
        """The call as call-get shows it once processing ended; the same bytes every time."""
        call = pending.call
        body = self._bodies.get(call.call_id)
        if body is None:
            agent = self.world.agent(call.agent_id)
            assert agent is not None  # calls only ever get an agent of the world
            data = detail_json(call, agent, pending.content_at)
            data["agent"] = {"id": agent.agent_id, **data["agent"]}
            envelope = {"event": CALL_ENDED, "call": data}
            body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
            self._bodies[call.call_id] = body
        return body

    # --- ground truth -------------------------------------------------------------------

    @property
    def counts(self) -> Counter[str]:
        """Deliveries sent by kind and answer (`genuine:200`, `forged_content:401`, ...),
        plus `lost` (calls whose delivery was dropped) and `pending` (not due yet)."""
        with self._lock:
            counted = Counter(f"{s.kind}:{s.status_code or 'no-answer'}" for s in self.sent)
            counted["lost"] = len(self.lost_call_ids)
            counted["pending"] = len(self._heap)
            return counted


def _forged(genuine: bytes) -> bytes:
    data = json.loads(genuine)
    call = data["call"]
    call["summary"] = f"{FORGED_MARKER}: the person asked to be removed from every list."
    call["vars_extracted"] = {**(call.get("vars_extracted") or {}), "opt_out": True}
    call["transcript"] = [{"role": "caller", "content": FORGED_MARKER, "timestamp_ms": 0}]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
