"""Calling rules: when, whether and from which number a contact may be called.

- `calendar`: the calling calendar, what the engine asks: open now? else when, and why
  (weekly schedule + country defaults + public holidays + closed dates). Built from
  `days` (day names), `hours` (wall-clock windows in real time, DST-correct), `schedule`
  (`--window "sun-thu 09:00-20:00, fri 09:00-13:00"`), `countries` (the table of each
  country's defaults), `public_holidays` (the `holidays` library) and `closed` (`--closed`).
  `availability` holds its answer and vocabulary (`Availability`, `ClosedReason`);
  `describe` says the whole calendar to the user (validate, dry run, check page).
- `windows`: the calendar's first API (`WindowRule`, `parse_window`), kept for its callers.
- `zones`: which time zones a contact is in (row's timezone column, else the number).
- `dnc`: do-not-call files, the suppression list shape, opt-out values.
- `callerid`: the `--from` pool, rotation and local presence.
- `gap`: minimum gap between calls to a number, and the per-day cap.

Pure logic on explicit instants (aware UTC datetimes): the engine passes `clock.now()`.
"""
