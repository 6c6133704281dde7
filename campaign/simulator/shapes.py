"""The JSON bodies the simulated endpoints answer with, shaped as in the Voicy reference."""

from __future__ import annotations

from typing import Any

from campaign.simulator.agents import SimAgent
from campaign.simulator.calls import SimCall
from campaign.simulator.content import CURRENCY, call_cost, connected_content, recording_url


def dial_json(call: SimCall) -> dict[str, Any]:
    return {
        "call_id": call.call_id,
        "call_status": "initiated",
        "call_type": call.call_type,
        "agent_id": call.agent_id,
        "from_number": call.from_number,
        "to_number": call.to_number,
        "direction": call.direction,
    }


def summary_json(call: SimCall, now: float) -> dict[str, Any]:
    """A call-list entry: no transcript, summary, recording, gender or vars."""
    return {
        "call_id": call.call_id,
        "call_type": call.call_type,
        "call_status": call.status_at(now),
        "agent_id": call.agent_id,
        "from_number": call.from_number,
        "to_number": call.to_number,
        "direction": call.direction,
        "start_timestamp": call.start_ms,
        "duration_ms": call.duration_ms if call.has_ended(now) else None,
    }


def detail_json(call: SimCall, agent: SimAgent, now: float) -> dict[str, Any]:
    """A call-get answer; the transcript grows while the call is ongoing."""
    ended = call.has_ended(now)
    out = summary_json(call, now)
    out["agent"] = {"name": agent.name, "version": agent.version}
    out.update(
        transcript=[],
        detected_gender=None,
        recording_url=None,
        summary=None,
        vars_provided=dict(call.vars_provided),
        vars_extracted={},
        vars_collected={},
        call_cost=None,
    )
    if ended:
        out["call_cost"] = {"combined_cost": call_cost(call), "currency": CURRENCY}
    if call.connected and now >= call.answer_at:
        content = connected_content(call, agent)
        now_ms = now * 1000
        out["transcript"] = [e for e in content.transcript if e["timestamp_ms"] <= now_ms]
        if ended:
            out.update(
                detected_gender=content.detected_gender,
                recording_url=recording_url(call, now),
                summary=content.summary,
                vars_extracted=content.vars_extracted,
                vars_collected=content.vars_collected,
            )
    return out


def error_json(message: str) -> dict[str, str]:
    return {"error": message}
