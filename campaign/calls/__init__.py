"""A call's whole life, in one package: every state change of a contact and an attempt.

Nothing else writes the state columns of `contacts` and `attempts` (a test walks the AST of
every other module of `campaign` to make sure); the engine, the campaign services and any
new input (a webhook delivery, a goal, a callback, a holiday) call the functions here.

    imported ─▶ queued ◀─────────── redial, or not placed ◀───────────────┐
                  │ held: waits until a time (a zone's calling window,     │
                  │ the min gap, the daily cap; --start-at campaign-wide)  │
                  ▼ due (team: claimed first)                              │
                intent ─dial─┬─▶ placed (201) ─▶ tracked ─▶ ended ─┬───────┘
                             │     ▲ linked: found in call-list     └─▶ final ─▶ details
                             ├─▶ unknown (timeout, 5xx, dropped)       (of connected calls)
                             │     └─ not found within the grace ─▶ not placed
                             └─▶ not placed (4xx, a connect error)

    crash:    intent ─▶ unknown (reconciled first); active, no open attempt ─▶ queued
    team:     a dead runner's open calls ─▶ the live runner's (its intents ─▶ unknown)
    cancel:   queued ─▶ final (canceled)

Every step is a committed write before the next request, so a `kill -9` anywhere leaves a
state a resume finishes without a duplicate call. The transition table
(`calls.transitions.TRANSITIONS`; each writer takes its "from" states from it):

    step         contact             attempt                       written by
    imported     (new)>queued|done   .                             births.first_state
    held         queued>queued       .                             holds.hold_zone, hold_contacts
    claimed      queued>queued       .                             due.claim_due
    released     queued>queued       .                             due.release
    intent       queued>active       (new)>intent                  intents.write_intents
    dnc_at_dial  queued>done         .                             intents.write_intents
    gap_at_dial  queued>queued       .                             intents.write_intents
    placed       active>active       intent>placed                 answers.record_placed_many
    unknown      active>active       intent>unknown                answers.record_unknown
    not_placed   active>queued|done  intent|unknown>not_placed     answers.record_not_placed
    linked       active>active       unknown>placed                answers.record_linked
    ended        active>queued|done  placed>ended                  ends.record_ended
    details      (unchanged)         ended>ended                   details.record_details
    recovered    active>active       intent>unknown                recovery.recover_after_crash
    stranded     active>queued       .                             recovery.requeue_stranded
    taken_over   active>active       intent>unknown (others kept)  recovery.take_over
    canceled     queued>done         .                             holds.cancel_waiting

Modules: `vocab` (the enums every surface loops over), `transitions`, `fate` (a contact's
`Decision` in columns), `births`, `due` (due contacts, team claims), `intents`, `answers`,
`ends`, `details`, `deliveries` (a webhook's call_ended used: the same `ended`, `linked`
and `details` steps, and the inbox entry marked consumed, in one transaction), `holds`
(set-based waits), `recovery` (crashes, take-overs), `fencing`
(team ownership of writes), `runs` (the campaign row's run state and stop reason),
`ledger` (the runner's handle: one transaction per step), `tally` (done / left / ETA).
"""

from campaign.calls.vocab import (
    Action,
    AttemptStatus,
    CampaignState,
    ContactState,
    EndSource,
    Outcome,
    StopReason,
    WaitReason,
)

__all__ = [
    "Action",
    "AttemptStatus",
    "CampaignState",
    "ContactState",
    "EndSource",
    "Outcome",
    "StopReason",
    "WaitReason",
]
