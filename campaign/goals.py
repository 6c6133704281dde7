"""A campaign's goal: what a connected call must have extracted to count as a success.

`--goal confirmed` reaches the goal when the agent extracted `confirmed` as true (true, yes,
1, y, on, כן, נכון, אישר; any case); `--goal result=booked` when it extracted exactly that
value (compared as text, trimmed, any case). Pure: `Goal.parse` reads the option,
`Goal.reached` judges one call's `vars_extracted`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from campaign.errors import InputError

#: Extracted values that mean "yes" (English and Hebrew), compared trimmed and casefolded.
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on", "כן", "נכון", "אישר", "אישרה", "מאשר"})


@dataclass(frozen=True)
class Goal:
    var: str
    #: The value the var must equal; None: any true-ish value.
    value: str | None = None

    @classmethod
    def parse(cls, spec: str | None) -> Goal | None:
        """`VAR` or `VAR=VALUE` (None or blank: no goal)."""
        if spec is None or not spec.strip():
            return None
        var, sep, value = spec.partition("=")
        var = var.strip()
        if not var:
            raise InputError(f"--goal {spec!r}: name the extracted var, e.g. --goal confirmed")
        if sep and not value.strip():
            raise InputError(
                f"--goal {spec!r}: give the value after '=', e.g. --goal result=booked, or "
                f"drop '=' for a true/false var (--goal {var})"
            )
        return cls(var, value.strip() if sep else None)

    def reached(self, extracted: Mapping[str, Any] | None) -> bool:
        """Whether a call's extracted vars reach the goal (a missing var does not)."""
        if not extracted or self.var not in extracted:
            return False
        found = extracted[self.var]
        if self.value is not None:
            return _text(found) == self.value.casefold()
        if isinstance(found, bool):
            return found
        if isinstance(found, int | float):
            return found == 1
        return _text(found) in TRUE_WORDS

    def describe(self) -> str:
        return f"{self.var}={self.value}" if self.value is not None else f"{self.var} is true"


def _text(value: Any) -> str:
    return str(value).strip().casefold() if value is not None else ""
