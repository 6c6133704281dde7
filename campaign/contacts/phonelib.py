"""The phone library behind `normalize_phone`: compiled rphonenumbers when installed, else
phonenumbers.

rphonenumbers is the phonenumbers API on the Rust port of libphonenumber: the same functions,
the same results (`tests/unit/contacts/test_phonelib_differential.py` compares them and lists
every difference), about ten times faster here. That is what makes a million-row list
import at disk speed instead of at ~30 µs a number. phonenumbers stays the fallback (no wheel
for the platform, or `CAMPAIGN_PHONE_LIBRARY=phonenumbers`) and the source of time-zone data,
which rphonenumbers does not carry.

Only this module and `phones.py` choose; everything else calls `normalize_phone`.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

#: Environment variable that forces a library: `phonenumbers` or `rphonenumbers`.
ENV_VAR = "CAMPAIGN_PHONE_LIBRARY"
_CHOICES = ("rphonenumbers", "phonenumbers")


def _load() -> ModuleType:
    wanted = (os.environ.get(ENV_VAR) or "").strip().lower()
    order = (wanted, *_CHOICES) if wanted in _CHOICES else _CHOICES
    for name in order:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImportError("no phone library: pip install phonenumbers (or rphonenumbers)")


#: The module in use; it has phonenumbers' API (parse, is_valid_number_for_region, ...).
lib: ModuleType = _load()
#: "rphonenumbers" or "phonenumbers", for `validate` and the benchmarks to say which.
NAME: str = lib.__name__
#: True when parsing is compiled (cheap enough that a process pool does not pay off).
COMPILED: bool = NAME == "rphonenumbers"


def describe() -> str:
    """`rphonenumbers 0.1.0 (libphonenumber metadata 9.0.41)` or `phonenumbers 9.0.43`."""
    version = getattr(lib, "__version__", "?")
    metadata = getattr(lib, "__phonenumbers_version__", None)
    return f"{NAME} {version}" + (f" (libphonenumber metadata {metadata})" if metadata else "")
