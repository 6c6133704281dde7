"""A list read in chunks is the list read in one go: rows, reasons, duplicates, lines, facts."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from campaign.contacts import ImportOptions, list_fingerprint, open_contacts
from campaign.contacts.dedupe import SeenNumbers
from campaign.contacts.model import ContactList

WriteFile = Callable[..., Path]
SAMPLES = Path(__file__).resolve().parents[3] / "sample_lists"


def load_contacts(path: Path, options: ImportOptions | None = None) -> ContactList:
    """The list in one read: one chunk, in this process (what every chunking is held to)."""
    return open_contacts(path, options, chunk_rows=None, workers=1).collect()


def _messy_list(rows: int, seed: int = 3) -> str:
    """Duplicates near and far (same and different vars), bad numbers, blank lines, a
    quoted value spanning lines, per-row regions and unknown ones."""
    rng = random.Random(seed)
    out = ["name,phone,country,note"]
    numbers: list[str] = []
    for _ in range(rows):
        draw = rng.random()
        if draw < 0.05:
            phone = rng.choice(["12", "", "1.55512E+10", "n/a"])
        elif draw < 0.25 and numbers:
            phone = rng.choice(numbers)
        else:
            phone = f"(212) 555-{rng.randint(0, 9999):04d}"
            numbers.append(phone)
        name = rng.choice(["Ana", "Bo", "Cy"])
        country = rng.choice(["", "", "US", "Narnia"])
        note = '"two\nlines"' if rng.random() < 0.02 else rng.choice(["", "vip"])
        out.append(f"{name},{phone},{country},{note}")
        if rng.random() < 0.02:
            out.append("")  # a blank line between rows
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("chunk_rows", [1, 7, 64, 1000])
def test_chunks_give_the_rows_of_one_read(write_file: WriteFile, chunk_rows: int) -> None:
    path = write_file("list.csv", _messy_list(600))
    options = ImportOptions(region_column="country")
    whole = load_contacts(path, options)
    stream = open_contacts(path, options, chunk_rows=chunk_rows)
    parts = list(stream.chunks())
    assert len(parts) >= min(600 // chunk_rows, 2)
    assert max(len(part) for part in parts) <= max(chunk_rows, 2000)
    chunked = pd.concat([part.frame for part in parts], ignore_index=True)
    pd.testing.assert_frame_equal(chunked, whole.frame)
    assert stream.counts == whole.counts
    assert stream.warnings == whole.warnings
    assert stream.fingerprint == list_fingerprint(whole)
    reasons = set(whole.frame["_reason"].dropna())
    assert any("with different values" in r for r in reasons)  # the list has such rows
    assert whole.counts.duplicate > 50


def test_chunks_prepared_by_worker_processes_give_the_rows_of_one_read(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers normalize chunks while this process deduplicates them: the same rows, reasons,
    duplicates (with differing values, across chunks) and lines as one read in-process."""
    from campaign.contacts import pool

    monkeypatch.setattr(pool, "POOL_MIN_CHUNK_ROWS", 1)
    started: list[int] = []

    class CountedPool(pool.ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            started.append(kwargs["max_workers"])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(pool, "ProcessPoolExecutor", CountedPool)
    path = write_file("list.csv", _messy_list(600))
    options = ImportOptions(region_column="country")
    whole = load_contacts(path, options)
    stream = open_contacts(path, options, chunk_rows=50, workers=2)
    chunked = pd.concat([part.frame for part in stream.chunks()], ignore_index=True)
    assert started == [2]
    pd.testing.assert_frame_equal(chunked, whole.frame)
    assert stream.counts == whole.counts
    assert stream.warnings == whole.warnings
    assert stream.fingerprint == list_fingerprint(whole)
    assert any("with different values" in r for r in whole.frame["_reason"].dropna())


def test_chunks_of_the_sample_lists(write_file: WriteFile) -> None:
    for name in ("contacts.csv", "contacts_semicolon.csv", "contacts_he.csv", "contacts.xlsx"):
        whole = load_contacts(SAMPLES / name)
        chunked = open_contacts(SAMPLES / name, chunk_rows=3).collect()
        pd.testing.assert_frame_equal(chunked.frame, whole.frame)
        assert chunked.warnings == whole.warnings


def test_a_second_pass_reads_the_same_rows(write_file: WriteFile) -> None:
    path = write_file("list.csv", _messy_list(100))
    stream = open_contacts(path, chunk_rows=10)
    first = [row for chunk in stream.chunks() for row in chunk.rows()]
    assert list(stream.rows()) == first
    assert first == list(load_contacts(path).rows())  # positions count from the list's start
    assert [row.position for row in stream.rows("valid")] == [
        row.position for row in load_contacts(path).rows("valid")
    ]


def test_seen_numbers_merge_runs_and_find_every_key() -> None:
    seen = SeenNumbers()
    rng = random.Random(1)
    keys = rng.sample(range(10**9), 5000)
    import numpy as np

    for start in range(0, 5000, 137):
        part = np.array(keys[start : start + 137], dtype=np.int64)
        seen.add(part, part * 2, part.astype(np.uint64))
    assert len(seen.runs) < 12  # merged as they grow
    probe = np.array([*keys[:50], -1, 7], dtype=np.int64)
    found, lines, hashes = seen.lookup(probe)
    assert hashes[:50].tolist() == keys[:50]
    assert found.tolist() == [True] * 50 + [False, 7 in keys]
    assert lines[:50].tolist() == [k * 2 for k in keys[:50]]
    every, every_line, _ = seen.lookup(np.array(keys, dtype=np.int64))
    assert every.all() and every_line.tolist() == [k * 2 for k in keys]
    assert all((np.diff(run_keys) > 0).all() for run_keys, _, _ in seen.runs)  # merged sorted


def test_a_kept_first_pass_gives_the_second_its_rows_without_the_work(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run` reads a list twice: the second pass replays the first's prepared chunks (the
    same rows, reasons, duplicates and lines), and only a complete pass is kept."""
    from campaign.contacts import stream as stream_module

    path = write_file("list.csv", _messy_list(600))
    options = ImportOptions(region_column="country")
    whole = load_contacts(path, options)
    calls: list[int] = []
    real = stream_module.prepared_chunks

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(stream_module, "prepared_chunks", counted)
    stream = open_contacts(path, options, chunk_rows=64, keep_prepared=True)
    partial = stream.chunks()
    next(partial)
    partial.close()  # type: ignore[attr-defined]  # a pass that stops early is not kept
    passes = [pd.concat([c.frame for c in stream.chunks()], ignore_index=True) for _ in "ab"]
    assert len(calls) == 2  # the stopped pass and the first full one; the third replayed
    for frame in passes:
        pd.testing.assert_frame_equal(frame, whole.frame)
    assert stream.counts == whole.counts and stream.fingerprint == list_fingerprint(whole)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_list_read_without_its_vars_dicts_gives_them_when_asked(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """`with_vars=False` (validate, and a run that stores the rows' JSON text): no vars
    dicts made or sent by the workers, yet every row's vars, rows() and the summary are
    those of a full read."""
    from campaign.contacts import pool, validation_summary

    monkeypatch.setattr(pool, "POOL_MIN_CHUNK_ROWS", 1)
    path = write_file("list.csv", _messy_list(600))
    options = ImportOptions(region_column="country")
    whole = load_contacts(path, options)
    lean = open_contacts(path, options, chunk_rows=50, workers=workers, with_vars=False)
    parts = list(lean.chunks())
    assert all(not part.vars_made for part in parts)
    assert all(v is None for part in parts for v in part.frame["_vars"])  # none were made
    assert [v for part in parts for v in part.row_vars()] == whole.frame["_vars"].tolist()
    assert [row for part in parts for row in part.rows()] == list(whole.rows())
    assert lean.collect().row_vars() == whole.row_vars()
    summary = validation_summary(open_contacts(path, options, chunk_rows=50, with_vars=False))
    assert summary == validation_summary(whole)
    assert summary["example"]["vars_provided"]  # the one row's vars the summary shows
