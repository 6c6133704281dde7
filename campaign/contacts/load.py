"""load_contacts / open_contacts: a list file → rows where each says what becomes of it.

Reading (read.py), the plan of columns, vars and region (plan.py), and each chunk's
normalizing, vars, contract and duplicates (chunk.py) have their own modules; this one is the
front door. No network: the agent, when there is a contract to check, is fetched by the
caller and passed in.
"""

from __future__ import annotations

from campaign.contacts.model import ContactList
from campaign.contacts.options import ImportOptions
from campaign.contacts.plan import plan_list
from campaign.contacts.source import ContactSource, read_source
from campaign.contacts.stream import DEFAULT_CHUNK_ROWS, ContactStream
from campaign.voicy.models import Agent


def open_contacts(
    source: ContactSource,
    options: ImportOptions | None = None,
    *,
    agent: Agent | None = None,
    filename: str | None = None,
    workers: int | None = None,
    chunk_rows: int | None = DEFAULT_CHUNK_ROWS,
    keep_prepared: bool = False,
    with_json: bool = False,
    with_vars: bool = True,
) -> ContactStream:
    """Decide how to read the list (InputError with the fix when it cannot be read at all)
    and give it as a stream of chunks of `chunk_rows` rows (None: one chunk).
    `keep_prepared`: the list will be read again (check, then store): the first full pass
    keeps its normalized chunks in a temporary file for the next ones (spill.py).
    `with_json`: the chunks will be stored as they are read (`campaigns.importing`), so the
    workers make each row's JSON text with them. `with_vars=False`: the rows' vars dicts are
    not made as the list is read (a pass that checks the list or stores its JSON text has
    no use for them); `ContactList.row_vars()` and `rows()` make them when asked."""
    src = read_source(source, filename)
    plan = plan_list(src, options or ImportOptions(), agent)
    return ContactStream(
        plan, chunk_rows=chunk_rows, workers=workers, keep_prepared=keep_prepared,
        with_json=with_json, with_vars=with_vars,
    )  # fmt: skip


def load_contacts(
    source: ContactSource,
    options: ImportOptions | None = None,
    *,
    agent: Agent | None = None,
    filename: str | None = None,
    workers: int | None = None,
) -> ContactList:
    """Read, normalize, check and deduplicate a contact list; no row is ever dropped.

    `source` is a path, bytes or a binary file; `filename` names it in messages (and gives
    the extension for bytes). `agent` turns on the var-contract check. `workers` caps the
    processes used to normalize large lists (default: every core). Raises InputError with
    the fix when the file cannot be used at all. The whole list is in memory: large lists
    are better read with `open_contacts`.
    """
    # Read in chunks (prepared on every core for a long list) and put together: the same
    # list as one read (tests/unit/contacts/test_contacts_chunks.py holds them equal).
    stream = open_contacts(source, options, agent=agent, filename=filename, workers=workers)
    return stream.collect()
