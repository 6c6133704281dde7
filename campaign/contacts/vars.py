"""Columns → the `vars_provided` of each call, checked against the agent's var contract.

By default every column that is not the phone number or a per-row option becomes a var
under its header. `--var COLUMN` limits that to named columns; `--var COLUMN=name` renames.
Empty cells are left out so the agent's default applies; values are trimmed strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from campaign.contacts.columns import ColumnRoles, find_column, header_key
from campaign.errors import InputError
from campaign.voicy.models import Agent, AgentVar


@dataclass(frozen=True)
class VarSpec:
    column: str
    name: str


def parse_var_specs(specs: Sequence[str], columns: list[str], source: str) -> list[VarSpec]:
    """`--var` values → (column, var name); an unknown column or a clash is an InputError."""
    parsed: list[VarSpec] = []
    for spec in specs:
        text = spec.strip()
        if text in columns or "=" not in text:
            column = find_column(columns, text, option="--var", source=source)
            name = column
        else:
            wanted, _, name = text.partition("=")
            name = name.strip()
            if not name:
                raise InputError(f"--var {spec!r} has no var name after '=': use COLUMN=name")
            column = find_column(columns, wanted.strip(), option="--var", source=source)
        parsed.append(VarSpec(column, name))
    seen: dict[str, str] = {}
    for spec_ in parsed:
        if spec_.name in seen and seen[spec_.name] != spec_.column:
            raise InputError(
                f"--var gives the var {spec_.name!r} twice (columns {seen[spec_.name]!r} and "
                f"{spec_.column!r}): give each var one column"
            )
        seen[spec_.name] = spec_.column
    return parsed


def build_mapping(
    columns: list[str], roles: ColumnRoles, specs: Sequence[VarSpec], agent: Agent | None
) -> dict[str, str]:
    """Column → var name. Without --var, a header that differs from one of the agent's
    vars only in case, spaces or punctuation ("First Name") takes the agent's spelling."""
    if specs:
        return {spec.column: spec.name for spec in specs}
    agent_names = [v.name for v in agent.vars_provided] if agent else []
    by_key: dict[str, str] = {}
    for name in agent_names:
        by_key.setdefault(header_key(name), name)
    used = set(columns)
    mapping: dict[str, str] = {}
    for column in columns:
        if column == roles.phone or column in roles.special:
            continue
        name = column
        match = by_key.get(header_key(column))
        if agent and column not in agent_names and match and match not in used:
            name = match
            used.add(match)
        mapping[column] = name
    return mapping


def vars_hashes(stripped: list[np.ndarray], size: int) -> np.ndarray:
    """A 64-bit hash of each row's vars (uint64): equal vars, equal hashes. pandas' keyed
    SipHash, so the same in every process (a worker's hashes meet the parent's)."""
    if not stripped:
        return np.zeros(size, dtype=np.uint64)
    table = pd.DataFrame({str(i): values for i, values in enumerate(stripped)})
    return pd.util.hash_pandas_object(table, index=False).to_numpy(dtype=np.uint64)


def needs_value(var: AgentVar) -> bool:
    """True when a call without this var would leave the agent's prompt incomplete.

    An explicit default, even "", is the agent author saying the prompt copes without it.
    """
    return var.required or var.default_value is None


def required_var_names(agent: Agent) -> list[str]:
    return [var.name for var in agent.vars_provided if needs_value(var)]


def missing_var_reasons(
    row_vars: Sequence[dict[str, str]], agent: Agent, applies: np.ndarray
) -> np.ndarray:
    """Per row, the reason it breaks the agent's contract, or None (object array)."""
    reasons = np.full(len(row_vars), None, dtype=object)
    required = required_var_names(agent)
    if not required:
        return reasons
    cache: dict[tuple[str, ...], str] = {}
    for position in np.flatnonzero(applies).tolist():
        present = row_vars[position]
        missing = tuple(name for name in required if name not in present)
        if missing:
            if missing not in cache:
                them = "it" if len(missing) == 1 else "them"
                cache[missing] = (
                    f"missing {', '.join(missing)}: the agent needs {them} and has no default"
                )
            reasons[position] = cache[missing]
    return reasons


def contract_warnings(mapping: dict[str, str], agent: Agent) -> list[str]:
    """One warning for vars the agent does not know, one for required vars no column gives."""
    warnings: list[str] = []
    known = [v.name for v in agent.vars_provided]
    unknown = [name for name in mapping.values() if name not in known]
    if unknown:
        knows = ", ".join(known) if known else "no vars"
        warnings.append(
            f"agent {agent.agent_id} does not know the vars {', '.join(unknown)} (it knows "
            f"{knows}): check the headers, or rename with --var COLUMN=name"
        )
    absent = [name for name in required_var_names(agent) if name not in mapping.values()]
    if absent:
        warnings.append(
            f"no column gives {', '.join(absent)}, which agent {agent.agent_id} needs: "
            "add the column, or map one with --var COLUMN=name"
        )
    return warnings
