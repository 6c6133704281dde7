"""A fingerprint of what a list would dial: the same people with the same vars, any order.

Used to tell "the same list again" (resume the campaign) from "a different list" (refuse or
ask), even when rows were re-sorted or the numbers formatted differently in the spreadsheet.
"""

from __future__ import annotations

import hashlib
import json
from operator import itemgetter

from campaign.contacts.model import ContactList


def list_fingerprint(contact_list: ContactList) -> str:
    """sha256 hex of the sorted (E.164, vars) of the valid rows."""
    frame = contact_list.frame
    valid = frame[frame["_status"] == "valid"]
    row_vars = valid["_vars"].tolist()
    names = sorted(set(contact_list.var_mapping.values()))
    # Empty cells are never in a row's vars, so "" stands for "absent" without ambiguity;
    # one tuple per row serializes far faster than one JSON text per row. Valid rows have
    # distinct numbers (duplicates are marked), so sorting by number alone is a total order.
    entries = [
        (e164, *(one.get(name, "") for name in names))
        for e164, one in zip(valid["_e164"].tolist(), row_vars, strict=True)
    ]
    entries.sort(key=itemgetter(0))
    payload = json.dumps([names, entries], ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("ascii")).hexdigest()
