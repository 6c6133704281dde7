"""What a connected call produced: transcript, summary, extracted and collected vars, cost.

Everything is drawn from the call's own seed, so the same call always reads the same.
A Hebrew agent (`language` he-IL), a number starting `+972` or Hebrew in the vars sent gets
a Hebrew conversation: transcript, summary and the extracted and collected values, so a
rehearsal of an Israeli list reads like what a Voicy user sees (and clients meet RTL text).
The person's name is taken from `first_name` or the list's own Hebrew header (`שם פרטי`).
Values scripted with `World.script_extracted` (e.g. `{"opt_out": True}`) override the drawn
vars_extracted, so a test can force what a person said.
"""

from __future__ import annotations

import hashlib
import random
import re
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
    hebrew = speaks_hebrew(agent, call.to_number, call.vars_provided)
    defaults = agent.provided_defaults()
    if hebrew:  # an English default ("our clinic") is not said in a Hebrew sentence
        defaults = {k: v for k, v in defaults.items() if not _LATIN.search(str(v or ""))}
    values = {**defaults, **call.vars_provided}
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


#: What the simulated people and agents say, in English and in Hebrew.
_PHRASES: dict[str, tuple[str, str]] = {
    "still_there": ("Hello? Are you still there?", "הלו? את/ה עדיין שם?"),
    "silent": (
        "The person picked up but said nothing; the call ended for inactivity.",
        "הנמען/ת ענה/תה אך לא אמר/ה דבר; השיחה הסתיימה בשל חוסר פעילות.",
    ),
    "confirm": ("Yes, I'll be there, thank you.", "כן, אגיע. תודה."),
    "confirmed": ("The person confirmed the appointment.", "הנמען/ת אישר/ה את התור."),
    "stop": ("Please stop calling me.", "אל תתקשרו אליי יותר."),
    "opted_out": ("The person asked not to be called again.", "הנמען/ת ביקש/ה שלא יתקשרו שוב."),
    "call_back": ("Can you call back {when}?", "אפשר לחזור אליי {when}?"),
    "wants_callback": (
        "The person could not confirm and asked for a call back {when}.",
        "הנמען/ת לא יכול/ה היה/תה לאשר וביקש/ה שיחזרו {when}.",
    ),
    "goodbye": ("Thank you, goodbye!", "תודה, יום טוב!"),
    "pay": ("I can pay {when}.", "אני יכול/ה לשלם {when}."),
    "promised": ("The person promised to pay {when}.", "הנמען/ת התחייב/ה לשלם {when}."),
    "owe_nothing": ("I don't owe you anything.", "אני לא חייב/ת לכם כלום."),
    "disputes": ("The person disputes the debt.", "הנמען/ת חולק/ת על החוב."),
    "not_now": ("I can't talk about this now.", "אני לא יכול/ה לדבר על זה עכשיו."),
    "no_commitment": ("The person made no commitment.", "הנמען/ת לא התחייב/ה לדבר."),
}
_PAY_DATES = (("Friday", "ביום שישי"), ("next week", "בשבוע הבא"), ("the 15th", "ב-15 לחודש"))
_SLOTS = (
    ("Mon 09:30", "יום ב׳ 09:30"),
    ("Tue 14:00", "יום ג׳ 14:00"),
    ("Wed 11:15", "יום ד׳ 11:15"),
)
#: The list's own names for the person's first name (Hebrew headers reach the agent as is).
_FIRST_NAME_VARS = ("first_name", "name", "שם פרטי", "שם")
_CLINIC_VARS = ("clinic_name", "clinic", "מרפאה", "שם המרפאה")
_DATE_VARS = ("appointment_date", "תאריך תור", "תאריך")
_HEBREW = re.compile("[\\u0590-\\u05ff]")
_LATIN = re.compile("[A-Za-z]")


def speaks_hebrew(agent: SimAgent, to_number: str, values: dict[str, Any]) -> bool:
    """A Hebrew agent, an Israeli number, or Hebrew in what the list sent: a Hebrew call."""
    if agent.language.lower().startswith("he") or to_number.startswith("+972"):
        return True
    return any(_HEBREW.search(str(value)) for value in values.values() if value)


def _say(key: str, hebrew: bool, **values: str) -> str:
    return _PHRASES[key][hebrew].format(**values)


def _pick(rng: random.Random, choices: tuple[tuple[str, str], ...], hebrew: bool) -> str:
    return rng.choice(choices)[hebrew]


def _first(values: dict[str, Any], names: tuple[str, ...]) -> str:
    return next((str(values[n]) for n in names if values.get(n)), "")


def _still_there(c: _Conversation, hebrew: bool) -> None:
    c.say("agent", _say("still_there", hebrew))
    c.summary = _say("silent", hebrew)


def _hello(values: dict[str, Any], hebrew: bool) -> str:
    name = _first(values, _FIRST_NAME_VARS)
    if hebrew:
        return f"שלום {name}".strip() + ","
    return f"Hello {name or 'there'},"


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
    clinic = _first(values, _CLINIC_VARS) or ("המרפאה" if hebrew else "our clinic")
    when = _first(values, _DATE_VARS)
    c = _Conversation()
    if hebrew:
        on = f" ב-{when}" if when else ""
        c.say("agent", f"{_hello(values, True)} מדברים מ{clinic} לגבי התור שלך{on}.")
    else:
        on = f" on {when}" if when else ""
        c.say("agent", f"{_hello(values, False)} {clinic} calling about your appointment{on}.")
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
        c.say("caller", _say("confirm", hebrew))
        c.summary = _say("confirmed", hebrew)
    elif opt_out:
        c.say("caller", _say("stop", hebrew))
        c.summary = _say("opted_out", hebrew)
    else:
        callback = _callback_request(rng, hebrew, call_end)
        c.say("caller", _say("call_back", hebrew, when=callback))
        c.summary = _say("wants_callback", hebrew, when=callback)
        c.collected["preferred_slots"] = [slot[hebrew] for slot in rng.sample(_SLOTS, 2)]
    c.say("agent", _say("goodbye", hebrew))
    c.extracted = {"confirmed": confirmed, "opt_out": opt_out, "callback_time": callback}
    return c


def _payment(
    rng: random.Random, values: dict[str, Any], inactive: bool, hebrew: bool
) -> _Conversation:
    amount = str(values.get("amount_due") or ("היתרה" if hebrew else "the balance"))
    c = _Conversation()
    if hebrew:
        c.say("agent", f"{_hello(values, True)} אנחנו מתקשרים לגבי התשלום של {amount}.")
    else:
        c.say("agent", f"{_hello(values, False)} I'm calling about your payment of {amount}.")
    c.extracted = {"promised_to_pay": False, "promise_date": "", "dispute": False}
    if inactive:
        _still_there(c, hebrew)
        return c
    u = rng.random()
    if u < 0.6:
        date = _pick(rng, _PAY_DATES, hebrew)
        c.say("caller", _say("pay", hebrew, when=date))
        installments = rng.choice((1, 2, 3))
        c.collected["payment_plan"] = {"installments": installments, "first_payment": date}
        c.extracted.update(promised_to_pay=True, promise_date=date)
        c.summary = _say("promised", hebrew, when=date)
    elif u < 0.7:
        c.say("caller", _say("owe_nothing", hebrew))
        c.extracted["dispute"] = True
        c.summary = _say("disputes", hebrew)
    else:
        c.say("caller", _say("not_now", hebrew))
        c.summary = _say("no_commitment", hebrew)
    c.say("agent", _say("goodbye", hebrew))
    return c
