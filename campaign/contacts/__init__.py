"""Contact lists: messy CSV/Excel files → clean, deduplicated E.164 contacts with vars.

    from campaign.contacts import ImportOptions, load_contacts
    contacts = load_contacts("contacts.csv", ImportOptions(region="US"))
    for row in contacts.rows("valid"):
        ...  # row.e164, row.vars, row.line

Every input row is kept (valid, invalid with a reason, or duplicate of an earlier line).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Names load lazily: pandas and phonenumbers' geodata take a second to import, and most
# commands (status, export, --help) never read a list.
_WHERE = {
    "list_fingerprint": "fingerprint",
    "load_contacts": "load",
    "open_contacts": "load",
    "ContactStream": "stream",
    "ContactRows": "model",
    "RESERVED_COLUMNS": "model",
    "ContactCounts": "model",
    "ContactList": "model",
    "ContactRow": "model",
    "ContactStatus": "model",
    "ImportOptions": "options",
    "PhoneResult": "phones",
    "normalize_phone": "phones",
    "time_zones_for_e164": "phones",
    "resolve_region": "regions",
    "print_validation": "summary",
    "validation_summary": "summary",
}

if TYPE_CHECKING:
    from campaign.contacts.fingerprint import list_fingerprint
    from campaign.contacts.load import load_contacts, open_contacts
    from campaign.contacts.model import (
        RESERVED_COLUMNS,
        ContactCounts,
        ContactList,
        ContactRow,
        ContactRows,
        ContactStatus,
    )
    from campaign.contacts.options import ImportOptions
    from campaign.contacts.phones import PhoneResult, normalize_phone, time_zones_for_e164
    from campaign.contacts.regions import resolve_region
    from campaign.contacts.stream import ContactStream
    from campaign.contacts.summary import print_validation, validation_summary


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'campaign.contacts' has no attribute {name!r}")
    return getattr(importlib.import_module(f"campaign.contacts.{module}"), name)


__all__ = [
    "RESERVED_COLUMNS",
    "ContactCounts",
    "ContactList",
    "ContactRow",
    "ContactRows",
    "ContactStatus",
    "ContactStream",
    "ImportOptions",
    "PhoneResult",
    "list_fingerprint",
    "load_contacts",
    "normalize_phone",
    "open_contacts",
    "print_validation",
    "resolve_region",
    "time_zones_for_e164",
    "validation_summary",
]
