"""The country of numbers written without +country code, when the user did not say.

In order: `--region` when given; else the country of the from-numbers when they share one
and the list does not contradict it (an Israeli clinic calling from +972… numbers has an
Israeli list); else the country under which most of the list's national numbers are valid,
with the counts that show it; else US. Every choice carries its reason, which `validate`,
the dry run and the web check page show. A per-row region column still wins over all of
these, row by row.

"Contradict" means: the list has enough national numbers to be evidence (MIN_EVIDENCE),
at most half of them are valid numbers of the from-numbers' country, and more than half are
valid numbers of another country. Then the list's country is chosen and the choice says,
loudly (`overrides`), that it is not the from-numbers' country and how to force that one:
an American list called from an Israeli number must not be read as Israeli and rejected row
by row. When the list fits no country well, the from-numbers' country stands.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import phonenumbers

from campaign.contacts.phones import normalize_phone, normalize_phone_tuple
from campaign.contacts.regions import require_region
from campaign.formats import isolated
from campaign.i18n import gettext_

RegionSource = Literal["option", "from_numbers", "list", "fallback"]
FALLBACK = "US"
#: The users' markets, preferred in this order among the countries most numbers fit
#: (Israeli mobiles, 05X-XXXXXXX, are also valid Ivorian, Finnish and German numbers).
MARKETS = ("US", "IL", "GB", "CA", "DE", "FR", "ES", "IT", "NL", "AU")
#: Fewer national numbers than this are no evidence: the default stays US.
MIN_EVIDENCE = 5
#: National numbers of the list tried against every country.
SAMPLE = 200
#: A first look at this many numbers keeps only the countries that fit some of them.
_FIRST_LOOK = 20
_INTERNATIONAL_PREFIXES = ("+", "00")


@dataclass(frozen=True)
class RegionChoice:
    code: str
    source: RegionSource
    #: Why, in words: "the from-numbers are IL numbers".
    reason: str
    #: The from-numbers' country, when the list's evidence overrode it (said loudly).
    overrides: str | None = None

    @property
    def warning(self) -> str | None:
        """The loud line when the from-numbers' country was not chosen, with the fix."""
        if self.overrides is None:
            return None
        return gettext_(
            "numbers without +country code are read as %(code)s, not as %(callers)s like the "
            "from-numbers: %(why)s. Pass --region %(callers)s if the list really is %(callers)s"
        ) % {"code": isolated(self.code), "callers": isolated(self.overrides), "why": self.reason}


def choose_region(
    explicit: str | None,
    from_numbers: Sequence[str] = (),
    phone_values: Iterable[str] = (),
) -> RegionChoice:
    """The default region and why (see the module docstring for the order)."""
    if explicit:
        code = require_region(explicit)
        return RegionChoice(code, "option", f"--region {explicit}")
    callers = from_number_country(from_numbers)
    national = national_values(phone_values)
    evidence = len(national) >= MIN_EVIDENCE
    if callers is not None:
        fits = sum(_valid(value, callers) for value in national) if evidence else 0
        if not evidence or fits * 2 > len(national):
            words = {"callers": isolated(callers), "fits": fits, "national": len(national)}
            return RegionChoice(
                callers,
                "from_numbers",
                gettext_(
                    "the from-numbers are %(callers)s numbers and %(fits)s of %(national)s "
                    "national numbers of the list fit"
                )
                % words
                if evidence
                else gettext_("the from-numbers are %(callers)s numbers") % words,
            )
    ranking = rank_countries(national) if evidence else []
    # Several countries may fit most numbers (India's plan accepts many US numbers, Finland's
    # and Germany's many Israeli ones): the users' markets come first among them, in order.
    most = [(code, n) for code, n in ranking if n * 2 > len(national) and code != callers]
    if most:
        best, n = min(most, key=lambda item: (_market_rank(item[0]), -item[1]))
        if callers is not None:
            return RegionChoice(
                best,
                "list",
                gettext_(
                    "the from-numbers are %(callers)s numbers, but only %(fits)s of "
                    "%(national)s national numbers of the list are valid %(callers)s numbers "
                    "and %(n)s are valid %(best)s numbers"
                )
                % {
                    "callers": isolated(callers),
                    "fits": fits,
                    "national": len(national),
                    "n": n,
                    "best": isolated(best),
                },
                overrides=callers,
            )
        others = [f"{code} {k}" for code, k in ranking if code != best][:2]
        return RegionChoice(
            best,
            "list",
            gettext_(
                "%(n)s of %(national)s national numbers of the list are valid %(best)s numbers"
            )
            % {"n": n, "national": len(national), "best": isolated(best)}
            + (
                "; "
                + gettext_("%(others)s fit too, %(best)s goes first")
                % {"others": isolated(", ".join(others)), "best": isolated(best)}
                if others
                else ""
            ),
        )
    if callers is not None:
        return RegionChoice(
            callers,
            "from_numbers",
            gettext_(
                "the from-numbers are %(callers)s numbers; only %(fits)s of %(national)s "
                "national numbers of the list fit them, but no other country fits more than half"
            )
            % {"callers": isolated(callers), "fits": fits, "national": len(national)},
        )
    return RegionChoice(
        FALLBACK,
        "fallback",
        gettext_(
            "no --region, no from-number country, and too few of the list's national numbers "
            "fit one country: US by default"
        ),
    )


def from_number_country(numbers: Sequence[str]) -> str | None:
    """The one country all the (valid) from-numbers belong to, else None."""
    countries = {normalize_phone(number, None).region_code for number in numbers}
    countries.discard(None)
    if len(countries) != 1:
        return None
    return countries.pop()


def national_values(values: Iterable[str], limit: int = SAMPLE) -> list[str]:
    """The first `limit` non-empty values written without an international prefix."""
    out: list[str] = []
    for value in values:
        text = value.strip() if isinstance(value, str) else ""
        if text and not text.startswith(_INTERNATIONAL_PREFIXES) and any(c.isdigit() for c in text):
            out.append(text)
            if len(out) == limit:
                break
    return out


def rank_countries(values: Sequence[str]) -> list[tuple[str, int]]:
    """Countries by how many of `values` are valid national numbers there, best first;
    ties in MARKETS order, then alphabetical. Countries fitting none are left out."""
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    first = values[:_FIRST_LOOK]
    hopeful = [r for r in regions if any(_valid(v, r) for v in first)]
    counts: Counter[str] = Counter()
    for region in hopeful:
        counts[region] = sum(_valid(v, region) for v in values)
    ranked = [(r, n) for r, n in counts.items() if n]
    ranked.sort(key=lambda item: (-item[1], _market_rank(item[0]), item[0]))
    return ranked


def _market_rank(code: str) -> int:
    return MARKETS.index(code) if code in MARKETS else len(MARKETS)


def _valid(value: str, region: str) -> bool:
    """Valid as a number of `region` itself. Asked of pure-Python phonenumbers: it loads one
    region's rules at a time, where the compiled library would build every region's
    (~50 MiB) for a few hundred look-ups. Even the counts for the few countries a first
    look keeps stay with it: built in this process before the workers are forked, the
    compiled rules of those countries cost the import ~20 MiB (PSS, all processes) for
    0.02 s."""
    e164, _, _, code = normalize_phone_tuple(value, region, library=phonenumbers)
    return e164 is not None and code == region


def best_region(values: Iterable[str]) -> str:
    """The country most of `values`' national numbers fit (FALLBACK when none), for
    scoring a column's content before the default region is known."""
    national = national_values(values, limit=_FIRST_LOOK * 2)
    ranking = rank_countries(national) if national else []
    return ranking[0][0] if ranking else FALLBACK
