"""The agents every simulated account has, with their variable contracts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_AGENT_ID = "5f0c1a2e-7b3d-4c6e-9a81-2d4f6b8c0e11"
PAYMENT_AGENT_ID = "a3e9d7c5-1b2f-4e8a-b6c4-9f0d2e4a6c13"


@dataclass(frozen=True)
class SimAgent:
    agent_id: str
    name: str
    version: int
    language: str
    vars_provided: list[dict[str, Any]] = field(default_factory=list)
    vars_extracted: list[dict[str, Any]] = field(default_factory=list)

    def provided_defaults(self) -> dict[str, Any]:
        return {v["name"]: v["default_value"] for v in self.vars_provided}

    def to_json(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "name": self.name,
            "version": self.version,
            "language": self.language,
            "vars_provided": [dict(v) for v in self.vars_provided],
            "vars_extracted": [dict(v) for v in self.vars_extracted],
        }


def _provided(name: str, default: Any, description: str) -> dict[str, Any]:
    return {"name": name, "type": "string", "default_value": default, "description": description}


def _extracted(name: str, kind: str, description: str, required: bool) -> dict[str, Any]:
    return {"name": name, "type": kind, "description": description, "required": required}


APPOINTMENT_AGENT = SimAgent(
    agent_id=DEFAULT_AGENT_ID,
    name="Appointment reminder",
    version=3,
    language="en-US",
    vars_provided=[
        _provided("first_name", None, "Given name of the person called"),
        _provided("appointment_date", "", "Date and time of the appointment, as spoken"),
        _provided("clinic_name", "our clinic", "Name of the clinic"),
    ],
    vars_extracted=[
        _extracted("confirmed", "boolean", "The person confirmed the appointment", True),
        _extracted("opt_out", "boolean", "The person asked not to be called again", True),
        _extracted("callback_time", "string", "When to call back, if asked", False),
    ],
)

PAYMENT_AGENT = SimAgent(
    agent_id=PAYMENT_AGENT_ID,
    name="Payment follow-up",
    version=1,
    language="en-US",
    vars_provided=[
        _provided("first_name", None, "Given name of the person called"),
        _provided("amount_due", None, "Amount owed, as spoken"),
        _provided("due_date", "", "Date the payment was due"),
    ],
    vars_extracted=[
        _extracted("promised_to_pay", "boolean", "The person promised to pay", True),
        _extracted("promise_date", "string", "When they promised to pay", False),
        _extracted("dispute", "boolean", "The person disputes the debt", True),
    ],
)

DEFAULT_AGENTS: tuple[SimAgent, ...] = (APPOINTMENT_AGENT, PAYMENT_AGENT)
