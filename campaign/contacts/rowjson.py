"""Each row's cells as the text of one JSON object, built column by column.

What the store keeps of a row (its original cells, its vars) is JSON text; encoding it a
row at a time costs a dict and an encoder call per row. Here each column's distinct values
are escaped once (`json.encoder.encode_basestring`, the C escaper `json.dumps` uses with
`ensure_ascii=False`) and the rows are put together with numpy's element-wise string
concatenation, in the worker process that prepared the chunk (pool.py).

    json_objects(["first", "last"], [array(["Ana", ""]), array(["Lee", "Li"])])
    → ['{"first":"Ana","last":"Lee"}', '{"first":"","last":"Li"}']
    json_objects(..., omit_empty=True)
    → ['{"first":"Ana","last":"Lee"}', '{"last":"Li"}']
"""

from __future__ import annotations

from collections.abc import Sequence
from json.encoder import encode_basestring

import numpy as np
import pandas as pd


def json_objects(
    names: Sequence[str], columns: Sequence[np.ndarray], *, omit_empty: bool = False
) -> np.ndarray:
    """An object array of JSON object texts, one per row: `names` as keys, each column's
    text as values, in order (`omit_empty`: a key whose cell is "" is left out)."""
    size = len(columns[0]) if len(columns) else 0
    if not names:
        return np.full(size, "{}", dtype=object)
    joined: np.ndarray | None = None
    for name, values in zip(names, columns, strict=True):
        codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
        prefix = "," + encode_basestring(name) + ":"
        fragments = np.empty(len(uniques), dtype=object)
        fragments[:] = [
            "" if omit_empty and value == "" else prefix + encode_basestring(value)
            for value in uniques.tolist()
        ]
        column = fragments[codes]
        joined = column if joined is None else joined + column
    assert joined is not None
    out = np.empty(size, dtype=object)
    out[:] = ["{" + text[1:] + "}" if text else "{}" for text in joined.tolist()]
    return out
