"""What a connected call produced: transcript, summary, extracted and collected vars, cost.

Everything is drawn from the call's own seed, so the same call always reads the same.
Numbers starting `+972` get a Hebrew (right-to-left) conversation, so clients meet RTL text.
Values scripted with `World.script_extracted` (e.g. `{"opt_out": True}`) override the drawn
vars_extracted, so a test can force what a person said.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from campaign.simulator.agents import PAYMENT_AGENT_ID, SimAgent
from campaign.simulator.calls import SimCall

COST_PER_MINUTE = 0.12
CURRENCY = "USD"


@dataclass(frozen=True)
class CallContent:
    transcript: list[dict[str, Any]]
    summary: str | None
    vars_extracted: dict[str, Any]
    vars_collected: dict[str, Any] = field(default_factory=dict)
    detected_gender: str | None = None


@dataclass
class _Conversation:
    """What was said as (role, text, extra) lines, before timestamps are laid on, and
    what the agent made of it."""

    lines: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    summary: str = ""
    extracted: dict[str, Any] = field(default_factory=dict)
    collected: dict[str, Any] = field(default_factory=dict)

    def say(self, role: str, text: str, **extra: Any) -> None:
        self.lines.append((role, text, extra))


def call_cost(call: SimCall) -> float:
    """Per talking minute, as Voicy bills (a short call still costs its seconds)."""
    return round(call.outcome.talk_seconds / 60.0 * COST_PER_MINUTE, 4)


def recording_url(call: SimCall, now: float) -> str:
    # Signed and short-lived like the real one: the expiry is an hour after the request.
    expires = int(now) + 3600
    signature = hashlib.sha256(f"{call.call_id}:{expires}".encode()).hexdigest()[:16]
    return (
        f"https://recordings.voicy.invalid/{call.call_id}.mp3"
        f"?expires={expires}&signature={signature}"
    )


def connected_content(call: SimCall, agent: SimAgent) -> CallContent:
    """The content of a connected call, its transcript complete (callers cut it by time)."""
    rng = random.Random(call.outcome.content_seed)
    values = {**agent.provided_defaults(), **call.vars_provided}
    hebrew = call.to_number.startswith("+972")
    inactive = call.final_status == "inactivity"
    if agent.agent_id == PAYMENT_AGENT_ID:
        conversation = _payment(rng, values, inactive, hebrew)
    else:
        end = call.answer_at + call.outcome.talk_seconds
        conversation = _appointment(rng, values, inactive, hebrew, end)
    return CallContent(
        transcript=_lay_out(conversation, call),
        summary=conversation.summary,
        vars_extracted={**conversation.extracted, **call.scripted_extracted},
        vars_collected=conversation.collected,
        detected_gender=rng.choice(("female", "male", None)),
    )


def _lay_out(conversation: _Conversation, call: SimCall) -> list[dict[str, Any]]:
    """Spread the lines evenly over the talking time, in unix milliseconds."""
    step = call.outcome.talk_seconds / (len(conversation.lines) + 1)
    entries = []
    for i, (role, text, extra) in enumerate(conversation.lines, start=1):
        at_ms = int((call.answer_at + i * step) * 1000)
        entries.append({"role": role, "content": text, "timestamp_ms": at_ms, **extra})
    return entries


def _name(values: dict[str, Any]) -> str:
    return str(values.get("first_name") or "there")


def _still_there(c: _Conversation, hebrew: bool) -> None:
    c.say("agent", "הלו? את/ה עדיין שם?" if hebrew else "Hello? Are you still there?")
    c.summary = "The person picked up but said nothing; the call ended for inactivity."


#: What people say when asked to be called back, as the agent extracts it: phrases in the
#: recipient's language, an ISO time now and then, and a few that are not a time at all.
_CALLBACKS_EN = ("tomorrow at 5pm", "in two hours", "Monday at 10am", "tomorrow at 10:00")
_CALLBACKS_HE = ("מחר בחמש", "בעוד שעתיים", "יום ראשון בעשר", "מחר ב-17:00")
_NOT_A_TIME = ("when I'm less busy", "later", "אחר כך")


def _callback_request(rng: random.Random, hebrew: bool, call_end: float) -> str:
    u = rng.random()
    if u < 0.15:  # ISO 8601, a day later at the same minute, as the recipient's offset
        offset = "+02:00" if hebrew else "Z"
        at = datetime.fromtimestamp(call_end + 86400, tz=UTC)
        if hebrew:
            at = at.astimezone(timezone(timedelta(hours=2)))
        return at.strftime("%Y-%m-%dT%H:%M:00") + offset
    if u < 0.25:
        return rng.choice(_NOT_A_TIME)
    return rng.choice(_CALLBACKS_HE if hebrew else _CALLBACKS_EN)


def _appointment(
    rng: random.Random,
    values: dict[str, Any],
    inactive: bool,
    hebrew: bool,
    call_end: float = 0.0,
) -> _Conversation:
    clinic = str(values.get("clinic_name") or "our clinic")
    when = str(values.get("appointment_date") or "")
    c = _Conversation()
    if hebrew:
        c.say("agent", f"שלום {_name(values)}, מדברים מ{clinic} לגבי התור שלך {when}.")
    else:
        on = f" on {when}" if when else ""
        c.say("agent", f"Hello {_name(values)}, {clinic} calling about your appointment{on}.")
    if inactive:
        _still_there(c, hebrew)
        c.extracted = {"confirmed": False, "opt_out": False, "callback_time": ""}
        return c
    if rng.random() < 0.4:
        c.say(
            "system",
            "check_calendar",
            function_invocation={"name": "check_calendar", "arguments": {"date": when or "next"}},
            function_result={"available": True, "slots": ["09:30", "14:00"]},
        )
    u = rng.random()
    opt_out, confirmed = u < 0.05, 0.05 <= u < 0.70
    callback = ""
    if confirmed:
        c.say("caller", "כן, אגיע." if hebrew else "Yes, I'll be there, thank you.")
        c.summary = "The person confirmed the appointment."
    elif opt_out:
        c.say("caller", "אל תתקשרו אליי יותר." if hebrew else "Please stop calling me.")
        c.summary = "The person asked not to be called again."
    else:
        callback = _callback_request(rng, hebrew, call_end)
        if hebrew:
            c.say("caller", f"אני לא יכול/ה לדבר עכשיו, תתקשרו {callback}.")
        else:
            c.say("caller", f"Can you call back {callback}?")
        c.summary = f"The person could not confirm and asked for a call back {callback}."
        c.collected["preferred_slots"] = rng.sample(["Mon 09:30", "Tue 14:00", "Wed 11:15"], 2)
    c.say("agent", "תודה, יום טוב!" if hebrew else "Thank you, goodbye!")
    c.extracted = {"confirmed": confirmed, "opt_out": opt_out, "callback_time": callback}
    return c


def _payment(
    rng: random.Random, values: dict[str, Any], inactive: bool, hebrew: bool
) -> _Conversation:
    amount = str(values.get("amount_due") or "the balance")
    c = _Conversation()
    if hebrew:
        c.say("agent", f"שלום {_name(values)}, אנחנו מתקשרים לגבי התשלום של {amount}.")
    else:
        c.say("agent", f"Hello {_name(values)}, I'm calling about your payment of {amount}.")
    c.extracted = {"promised_to_pay": False, "promise_date": "", "dispute": False}
    if inactive:
        _still_there(c, hebrew)
        return c
    u = rng.random()
    if u < 0.6:
        date = rng.choice(("Friday", "next week", "the 15th"))
        c.say("caller", f"I can pay {date}.")
        installments = rng.choice((1, 2, 3))
        c.collected["payment_plan"] = {"installments": installments, "first_payment": date}
        c.extracted.update(promised_to_pay=True, promise_date=date)
        c.summary = f"The person promised to pay {date}."
    elif u < 0.7:
        c.say("caller", "I don't owe you anything.")
        c.extracted["dispute"] = True
        c.summary = "The person disputes the debt."
    else:
        c.say("caller", "I can't talk about this now.")
        c.summary = "The person made no commitment."
    c.say("agent", "Thank you, goodbye!")
    return c
