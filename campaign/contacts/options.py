"""How to read a contact list: the choices a user can make on the command line or web form."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportOptions:
    """Import choices; every field has a working default (detection does the rest)."""

    #: The column holding the number to call; detected by header, then content, when None.
    phone_column: str | None = None
    #: Country of numbers written without +country code (ISO code, `UK` accepted); None:
    #: chosen from the caller numbers, else the list's own numbers (default_region.py).
    region: str | None = None
    #: A column with each row's country, used instead of `region` where it is filled in.
    region_column: str | None = None
    #: Excel sheet name (or 1-based position); the first sheet when None.
    sheet: str | None = None
    #: "COLUMN" or "COLUMN=name": only these columns become vars (renamed); all when empty.
    vars: list[str] = field(default_factory=list)
    #: Per-row from_number / agent_id overrides; detected by header when None.
    from_column: str | None = None
    agent_column: str | None = None
    #: Per-row IANA time zone; a column named timezone / time_zone / tz is used when None.
    timezone_column: str | None = None
    #: The campaign's from-numbers (E.164): their country is the default region when they
    #: share one and `region` is None.
    caller_numbers: tuple[str, ...] = ()
