"""The run loop: a `Runner` composed of small typed parts (see `runner.py`).

`dispatcher` (who is due, holds, intents) → `dialer` (one dial, its answer) → `tracker`
(batched scans, reconciliation, ends) → `details` (call-get of connected calls); the
`heartbeat` (pause / cancel asked, lock or lease, take-overs) and `ending` (the one place
that decides the run is over). Pure decisions: `policy` (a contact's fate) and `reconcile`
(matching unknown dials). `budget` is the one request budget; `coordination` is alone
(SQLite lock) or a team (PostgreSQL leases); `rules_bridge` is the one way to the calling
rules. Every write of a call's life goes through `campaign.calls`.
"""
