"""Calling rules: when, whether and from which number a contact may be called.

- `windows`: recipient-local calling windows (`--window`, `--days`), DST-correct.
- `zones`: which time zones a contact is in (row's timezone column, else the number).
- `dnc`: do-not-call files, the suppression list shape, opt-out values.
- `callerid`: the `--from` pool, rotation and local presence.
- `gap`: minimum gap between calls to a number, and the per-day cap.

Pure logic on explicit instants (aware UTC datetimes): the engine passes `clock.now()`.
"""
