"""What the CLI, the web page and library users call to work with campaigns.

- `create`: `prepare_campaign` / `create_campaign` (a list becomes a campaign, once)
- `resume`: `prepare_resume` (a campaign and its stored settings), `interrupted_campaigns`
- `control`: `pause_campaign`, `cancel_campaign` (through the live runner, or directly)
- `history`: what the database knows of a list (`check_same_list`, `recent_calls`)
- `recent`: the line `validate` and `run --dry-run` print of it (no store loaded without one)
- `dnc`: the database's do-not-call list, and the opt-out hook
- `connect`: the API client (real, or the simulator under --simulate)
- `runs`: `build_runner` (the one wiring of a runner with its rules and hooks),
  `run_campaign`, `run_with_signals`

The run loop itself is `campaign.engine`; a call's life is `campaign.calls`.
"""
