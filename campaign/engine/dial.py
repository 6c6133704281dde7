"""Dialing a batch of due contacts, then each dial and what its answer means.

each due contact: calling rules → caller ID → (in process) its request token
one intent transaction for the batch (on PostgreSQL it also takes the lines and tokens)
each dial in its own task: 201 → recorded (batched); may have been placed → reconciled;
certainly not placed → queued again, after a backoff when the API asked for one
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import anyio

from campaign.engine import records
from campaign.engine.crashpoints import crash_point, crash_point_armed
from campaign.engine.dispatch import Candidate, hold_many
from campaign.engine.intents import IntentRequest, write_intents
from campaign.engine.policy import Decision, after_not_placed
from campaign.errors import FatalAPIError
from campaign.voicy import errors as verr

if TYPE_CHECKING:
    from campaign.engine.run import Runner


async def dial_batch(runner: Runner, batch: list[Candidate], free: int) -> int:
    """Intents for as many due contacts as there are free lines, in one transaction."""
    chosen: list[IntentRequest] = []
    candidates: list[Candidate] = []
    held: list[tuple[int, datetime, str]] = []
    team = runner.fence is not None
    for candidate in batch:
        if len(chosen) >= free or runner.stopping or runner.concurrency_hold:
            break
        now = runner.clock.now()
        wait = runner.rules.hold_until(candidate, now)
        if wait is not None:
            held.append((candidate.contact_id, wait[0], wait[1]))
            continue
        try:
            from_number = candidate.from_number or runner.caller_ids.choose(candidate.to_number)
        except (LookupError, FatalAPIError) as exc:
            runner._fatal(getattr(exc, "message", None) or "every from-number was refused")
            break
        if not team:  # in process: each dial's token before its intent
            if chosen and runner.budget.next_free_in() > 0:
                break  # send what is ready now; the rest waits for the next token
            await runner.budget.acquire("call-dial")
            if runner.stopping:
                break
        agent = candidate.agent_id or runner.settings.agent_id
        chosen.append(IntentRequest(candidate.contact_id, from_number, agent))
        candidates.append(candidate)
    if held:
        hold_many(runner.db, held, owner=runner.team.owner)
    if not chosen:
        return 0
    crash_point("before_intent")
    # With other runners the tokens are taken in the intent's own transaction, for the
    # dials it admits, right before they go (team.py); this waits for the key's next one.
    async with runner.team.dial_turn():
        written = write_intents(
            runner.db,
            chosen,
            campaign_id=runner.campaign_id,
            runner=runner.identity.owner,
            now=runner.clock.now(),
            min_gap=runner.settings.min_gap,
            claim=runner.team.claim_check(candidates),
        )
    started = 0
    assert runner._tg is not None
    # Another runner took the key's token first: go again at once (the turn waits).
    runner._token_race = any(w == records.Blocked("no_token") for w in written)
    for intent in written:
        if isinstance(intent, records.Blocked):
            if intent.reason == "lease_lost":
                runner._refused([])
            continue
        crash_point("after_intent")
        runner.in_flight += 1
        runner._tg.start_soon(dial, runner, intent)
        started += 1
    return started


async def dial(runner: Runner, intent: records.Intent) -> None:
    try:
        with anyio.CancelScope(shield=runner.stopping):
            await _dial(runner, intent)
    finally:
        runner.in_flight -= 1
        runner.wake()


async def _dial(runner: Runner, intent: records.Intent) -> None:
    try:
        result = await runner.client.dial(
            intent.from_number,
            intent.to_number,
            vars_provided=intent.vars or None,
            override_agent_id=intent.agent_id,
        )
    except verr.VoicyError as exc:
        dial_failed(runner, intent, exc)
        return
    crash_point("after_answer")
    now = runner.clock.now()
    runner.recorder.placed(intent.attempt_id, result.call_id, result.call_status, now)
    if crash_point_armed("after_placed"):
        runner.recorder.flush()
        crash_point("after_placed")
    runner.tracker.add_placed(intent, result.call_id, result.call_status)


def dial_failed(runner: Runner, intent: records.Intent, exc: verr.VoicyError) -> None:
    now = runner.clock.now()
    message = f"{type(exc).__name__}: {exc}"
    fence = runner.fence
    if exc.placement == "unknown":
        if records.record_unknown(runner.db, intent.attempt_id, message, now, fence):
            runner.tracker.add_unknown(intent)
        return
    if isinstance(exc, verr.AuthError):
        records.record_not_placed(runner.db, intent.attempt_id, message, _requeue(now), now, fence)
        runner._fatal(f"the API refused the key ({exc.message}); set VOICY_API_KEY")
        return
    if isinstance(exc, verr.Unprocessable):
        records.record_not_placed(runner.db, intent.attempt_id, message, _requeue(now), now, fence)
        if intent.from_number in runner.caller_ids.available:  # warn once per number
            runner.caller_ids.remove(intent.from_number, exc.message)
            runner._event(
                "from_number_refused", f"from-number {intent.from_number} refused: {exc.message}"
            )
        if not runner.caller_ids.available:
            runner._fatal(f"every from-number was refused by the API ({exc.message})")
        return
    if isinstance(exc, verr.InvalidRequest | verr.NotFound):
        records.record_final_request_error(runner.db, intent.attempt_id, message, now, fence)
        return
    if isinstance(exc, verr.ConcurrencyLimited):
        runner.concurrency_hold = True
        records.record_not_placed(runner.db, intent.attempt_id, message, _requeue(now), now, fence)
        return
    retry_at = exc.reset_at if isinstance(exc, verr.RateLimited) else None
    tries = records.count_not_placed(runner.db, intent.contact_id) + 1
    records.record_not_placed(
        runner.db, intent.attempt_id, message, after_not_placed(tries, now, retry_at), now, fence
    )


def _requeue(now: datetime) -> Decision:
    return Decision(final=False, next_attempt_at=now)
