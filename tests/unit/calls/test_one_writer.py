"""A call's life has one home: no module of `campaign` outside `campaign/calls/` writes the
state columns of contacts and attempts (nor a campaign's run state).

The check walks each module's AST for the ways SQLAlchemy writes: UPDATE / DELETE / INSERT
statements on those tables, ORM attribute assignments, constructor keywords, `.values()`
keywords, bulk mappings and raw SQL text. The checker is tested on planted violations, so
it cannot pass by finding nothing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3] / "campaign"
HOME = ROOT / "calls"
#: Where the tables are defined (column declarations are not writes).
DEFINITIONS = {ROOT / "store" / "models.py"}

CONTACT_LIFE = {
    "state", "attempts", "next_attempt_at", "wait_reason", "wait_detail", "outcome",
    "last_status", "last_call_id", "error", "final_at", "claimed_by", "lease_until", "fence",
    "zone_key",
}  # fmt: skip
ATTEMPT_LIFE = {
    "state", "call_id", "runner", "answered_at", "started_at", "ended_at", "voicy_status",
    "category", "ended_by", "duration_ms", "summary", "transcript", "vars_extracted",
    "vars_collected", "cost", "currency", "details_fetched", "error",
}  # fmt: skip
CAMPAIGN_RUN = {
    "state", "started_at", "finished_at", "requested_action", "stop_reason", "stop_detail",
    "hold_until", "hold_reason", "hold_detail",
}  # fmt: skip
LIFE = CONTACT_LIFE | ATTEMPT_LIFE | CAMPAIGN_RUN
TABLES = {"Contact", "Attempt"}
_RAW_SQL = re.compile(r"\b(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+(contacts|attempts)\b", re.I)


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _table_of(node: ast.AST, aliases: set[str]) -> str | None:
    """`Contact`, `Attempt`, `Contact.__table__`, or a name bound to one of those."""
    if isinstance(node, ast.Attribute) and node.attr == "__table__":
        return _name(node.value) if _name(node.value) in TABLES else None
    name = _name(node)
    if name in TABLES:
        return name
    if isinstance(node, ast.Name) and node.id in aliases:
        return node.id
    return None


def violations(source: str, filename: str = "<module>") -> list[str]:
    """Where `source` writes a state column of contacts, attempts or a campaign's run."""
    tree = ast.parse(source, filename)
    found: list[str] = []
    imports_models = any(
        isinstance(node, ast.ImportFrom)
        and node.module == "campaign.store.models"
        and any(a.name in TABLES | {"Campaign"} for a in node.names)
        for node in ast.walk(tree)
    )
    aliases = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "__table__"
        and _name(node.value.value) in TABLES
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def where(node: ast.AST, what: str) -> str:
        return f"{filename}:{getattr(node, 'lineno', '?')}: {what}"

    def values_keywords(call: ast.Call) -> set[str]:
        """Keywords of a `.values(...)` chained on `call` (`update(X).where(...).values(..)`)."""
        names: set[str] = set()
        node: ast.AST = call
        while node in parents:
            parent = parents[node]
            if isinstance(parent, ast.Attribute) and parent.attr == "values":
                grand = parents.get(parent)
                if isinstance(grand, ast.Call):
                    names |= {k.arg for k in grand.keywords if k.arg}
            node = parent
        return names

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = _name(node.func)
            table = _table_of(node.args[0], aliases) if node.args else None
            if func in ("update", "delete") and table:
                found.append(where(node, f"{func}({table}) outside campaign/calls"))
            elif func == "insert" and table == "Attempt":
                found.append(where(node, "insert(Attempt) outside campaign/calls"))
            elif func == "insert" and table and values_keywords(node) & CONTACT_LIFE:
                found.append(where(node, "insert(Contact).values(<life columns>)"))
            elif func in ("bulk_update_mappings", "bulk_insert_mappings") and table:
                found.append(where(node, f"{func}({table})"))
            elif func in TABLES:
                found.append(where(node, f"{func}(...) row built outside campaign/calls"))
            elif func == "Campaign" and {k.arg for k in node.keywords} & CAMPAIGN_RUN:
                found.append(where(node, "Campaign(<run state>) outside campaign/calls"))
            elif func == "update" and node.args and _name(node.args[0]) == "Campaign":
                written = values_keywords(node) & CAMPAIGN_RUN
                if written:
                    found.append(where(node, f"update(Campaign).values({sorted(written)})"))
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign) and imports_models:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Attribute) and leaf.attr in LIFE:
                        found.append(where(leaf, f"assignment to .{leaf.attr}"))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _RAW_SQL.search(node.value)
        ):
            found.append(where(node, "raw SQL writing contacts/attempts"))
    return found


def _modules() -> list[Path]:
    return sorted(
        path for path in ROOT.rglob("*.py") if HOME not in path.parents and path not in DEFINITIONS
    )


def test_only_campaign_calls_writes_the_state_of_contacts_and_attempts() -> None:
    found = [v for path in _modules() for v in violations(path.read_text(), str(path))]
    assert found == [], "\n".join(found)


def test_the_walk_covers_the_package() -> None:
    modules = {path.relative_to(ROOT).as_posix() for path in _modules()}
    assert {"engine/dispatcher.py", "campaigns/control.py", "web/app.py"} <= modules
    assert not any(m.startswith("calls/") for m in modules)


PLANTED = [
    "from campaign.store.models import Contact\nsession.execute(update(Contact).values(x=1))",
    "from sqlalchemy import delete\nsession.execute(delete(Attempt))",
    "t = Contact.__table__\nsession.execute(update(t), rows)",
    "session.execute(update(Attempt.__table__).where(a).values(state='ended'))",
    "session.execute(insert(Attempt), rows)",
    "session.execute(insert(Contact).values(state='queued'))",
    "session.add(Attempt(state='intent'))",
    "from campaign.store.models import Contact\ncontact = session.get(Contact, 1)\n"
    "contact.outcome = 'connected'",
    "from campaign.store.models import Attempt\nrow.details_fetched = True",
    "from campaign.store.models import Contact\ncontact.attempts += 1",
    "session.add(Campaign(name='x', state='running'))",
    "session.execute(update(Campaign).where(w).values(stop_reason='x'))",
    "session.bulk_update_mappings(Contact, rows)",
    "session.execute(text('UPDATE contacts SET state = :s'))",
    "session.execute(text('insert into attempts (state) values (1)'))",
]
ALLOWED = [
    "session.execute(select(Contact.state).where(Contact.state == 'queued'))",
    "session.execute(insert(Contact), batch)",  # rows whose life columns calls.births made
    "session.execute(update(Campaign).values(lock_owner=None, requests_used=1))",
    "self.state = 'running'",  # a module that does not import the tables
    "from campaign.store.models import Contact\nview = {'state': contact.state}",
]


@pytest.mark.parametrize("source", PLANTED)
def test_the_checker_finds_each_way_of_writing(source: str) -> None:
    assert violations(source), source


@pytest.mark.parametrize("source", ALLOWED)
def test_the_checker_leaves_reads_and_other_columns_alone(source: str) -> None:
    assert violations(source) == [], source
