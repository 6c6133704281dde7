"""Voicy's call statuses and the stored reasons a call or a row ended, in the page's words.

Statuses are the API's (`user_hangup`, `no_answer`: `campaign.voicy.models`); the reasons are
stored in English by the package that owns a call's life (`no_answer after 3 attempt(s)`,
`on the do-not-call list`) and by the list reader (`not a phone number`), so the CLI and the
export read them as they are. A page shows them translated: a known status or fixed phrase
by the catalog, the few sentences with a number or a status by their pattern; anything else
as stored.
"""

from __future__ import annotations

import re

from campaign.i18n import DEFAULT, current, gettext_, word


def _(message: str) -> str:
    """Marks a string for the catalog; translated where it is shown."""
    return message


#: Every Voicy call status, in words (the catalog translates them).
STATUS_WORDS: dict[str, str] = {
    "initiated": _("initiated"),
    "ringing": _("ringing"),
    "ongoing": _("ongoing"),
    "in_progress": _("in progress"),
    "user_hangup": _("the person hung up"),
    "agent_hangup": _("the agent hung up"),
    "inactivity": _("ended for silence"),
    "error_inactivity": _("ended for silence (error)"),
    "ended": _("ended"),
    "busy": _("busy"),
    "no_answer": _("no answer"),
    "error": _("error"),
    "canceled": _("canceled"),
    # Redial-after keys that are not statuses (`--retry-delay no_goal=1h`, `*=5m`).
    "no_goal": _("goal not reached"),
    "*": _("any other"),
}
_AFTER = re.compile(r"^(?P<status>\w+) after (?P<count>\d+) attempt\(s\)$")
_CALL = re.compile(r"^call (?P<status>\w+)$")
_UNKNOWN = re.compile(r"^call ended with unknown status (?P<status>.+)$")


def status_words(status: str | None) -> str:
    """`user_hangup` → `the person hung up` in the page's language; unknown: as sent."""
    if not status:
        return ""
    words = STATUS_WORDS.get(status)
    return gettext_(words) if words else status


def reason_words(text: str | None) -> str:
    """A stored reason (an attempt's or a contact's error, a row's rejection) for the page."""
    if not text:
        return ""
    if current() == DEFAULT:
        return text
    found = _AFTER.match(text)
    if found:
        return gettext_("%(status)s after %(count)s attempts") % {
            "status": status_words(found["status"]),
            "count": found["count"],
        }
    found = _CALL.match(text)
    if found and found["status"] in STATUS_WORDS:
        return gettext_("call %(status)s") % {"status": status_words(found["status"])}
    found = _UNKNOWN.match(text)
    if found:
        return gettext_("call ended with unknown status %(status)s") % {
            "status": f"\u2068{found['status']}\u2069"
        }
    return word(text)
