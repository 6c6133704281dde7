"""A faithful fake of the Voicy call API, for tests and for `--simulate`.

    world = World(clock=FakeClock(), plan=PLANS["standard"], seed=0)
    client = httpx.AsyncClient(transport=in_process_transport(world),
                               base_url="http://voicy.sim/functions/v1")
    with running_server(world) as base_url: ...   # the same over real HTTP

Behaviour beyond the Voicy reference (the "magic"), all deterministic:
- Plans: `standard` and `enterprise` as documented; `unlimited` is not a real plan, its
  limits never bind (for measuring the engine's own overhead).
- Account: the numbers `DEFAULT_FROM_NUMBERS`, each with the "Appointment reminder" agent
  (`DEFAULT_AGENT_ID`); a second agent "Payment follow-up" (`PAYMENT_AGENT_ID`) is only
  reachable with `override_agent_id`. agent-list answers `{"agents": [...], "total_count": N}`.
- Key: only `World.api_key` (default `TEST_API_KEY`) is accepted; other keys get a 401
  and do not draw on the account's request budget (their answers still carry the headers).
- Budget: fixed 60 s windows aligned to multiples of 60 on the world's clock; every request
  with the key counts (errors and 429s too). Over the budget: 429 with `Retry-After`.
- Concurrency: a dial while `plan.concurrent_calls` calls are initiated/ringing/ongoing gets a
  429 whose message names the "Concurrent call limit" (no `Retry-After`).
- Calls: initiated for 1 s, then ringing for `ring_seconds`, then busy/no_answer/canceled, or
  ongoing for `call_seconds` (capped at `plan.max_call_seconds`) and an end status. `error`
  follows `initiated` directly, as on the call-dial page. Statuses derive from the clock,
  nothing runs in the background.
- Outcomes: the n-th dial (0-based) to a number ends as drawn from (seed, number, n) with
  `DEFAULT_OUTCOME_WEIGHTS` (~70% connect, including a few `ended`; 15% no_answer; 10% busy;
  5% error), unless `World.script(number, [...])` forces it. `planned_status` tells it ahead.
  Scripts may name unknown statuses (e.g. "weird_status"): they end a connected call.
- Content: connected calls get a transcript (a `system` entry with `function_invocation`
  about 40% of the time), summary, vars_extracted, vars_collected (nested values), a recording
  URL and a cost of $0.12 per talking minute. The transcript grows while the call is ongoing.
  Numbers starting `+972` get a Hebrew (RTL) conversation. No other number is special.
  `World.script_extracted(number, {"opt_out": True})` forces vars_extracted values on that
  number's connected calls (e.g. a person who opts out).
- call-list: every call is outgoing and none is a test call; a new call appears in the list
  only `list_lag_seconds` after its start (call-get sees it at once). Thresholds are inclusive.
- Faults (`Faults`, seeded): see `campaign.simulator.faults`. In-process, a dropped
  connection raises `httpx.RemoteProtocolError`, as httpx does over a socket.
- Ground truth on `World`: `dial_counts`, `calls`, `status_of`, `max_concurrent` (exact, from
  call intervals), `requests_per_window`, `max_requests_in_any_window`, `served_429`,
  `served_concurrency_429`, `requests_by_endpoint`, `faults_served`.
"""

from campaign.simulator.agents import DEFAULT_AGENT_ID, PAYMENT_AGENT_ID, SimAgent
from campaign.simulator.app import API_PREFIX, create_app
from campaign.simulator.calls import DEFAULT_OUTCOME_WEIGHTS, SimCall
from campaign.simulator.faults import Faults
from campaign.simulator.limits import PLANS, Plan
from campaign.simulator.server import running_server
from campaign.simulator.transport import in_process_transport
from campaign.simulator.world import DEFAULT_FROM_NUMBERS, TEST_API_KEY, ListQuery, World

__all__ = [
    "API_PREFIX",
    "DEFAULT_AGENT_ID",
    "DEFAULT_FROM_NUMBERS",
    "DEFAULT_OUTCOME_WEIGHTS",
    "PAYMENT_AGENT_ID",
    "PLANS",
    "TEST_API_KEY",
    "Faults",
    "ListQuery",
    "Plan",
    "SimAgent",
    "SimCall",
    "World",
    "create_app",
    "in_process_transport",
    "running_server",
]
