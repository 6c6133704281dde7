"""rowjson.json_objects: the same objects json.loads reads back as a dict per row would give."""

from __future__ import annotations

import json

import numpy as np
import pytest

from campaign.contacts.rowjson import json_objects

CELLS = ["Ana", "", 'say "hi"', "דנה", "back\\slash", "a/b", "line\nbreak", "\t", "Ana", "é\u2028"]


def _columns(*values: list[str]) -> list[np.ndarray]:
    return [np.array(v, dtype=object) for v in values]


@pytest.mark.parametrize("omit_empty", [False, True])
def test_each_row_reads_back_as_its_dict(omit_empty: bool) -> None:
    first, second = CELLS, list(reversed(CELLS))
    texts = json_objects(["name", 'note "x"'], _columns(first, second), omit_empty=omit_empty)
    assert len(texts) == len(CELLS)
    for text, a, b in zip(texts, first, second, strict=True):
        want = {"name": a, 'note "x"': b}
        if omit_empty:
            want = {key: value for key, value in want.items() if value}
        assert json.loads(text) == want
        assert list(json.loads(text)) == list(want)  # the columns' order


@pytest.mark.parametrize(
    ("names", "columns", "omit_empty", "want"),
    [
        ([], [], False, []),
        (["a"], _columns([""]), True, ["{}"]),
        (["a", "b"], _columns(["", "1"], ["", ""]), True, ["{}", '{"a":"1"}']),
        (["a", "b"], _columns(["", "1"], ["", ""]), False, ['{"a":"","b":""}', '{"a":"1","b":""}']),
    ],
)
def test_edges(
    names: list[str], columns: list[np.ndarray], omit_empty: bool, want: list[str]
) -> None:
    assert json_objects(names, columns, omit_empty=omit_empty).tolist() == want
