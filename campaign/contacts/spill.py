"""The prepared chunks of one full pass over a list, kept on disk for the next pass.

`run` reads a list twice: once to check it (counts, fingerprint, the summary), once to store
it. Normalizing and building vars is most of a pass, and its result cannot change between
the two (the same bytes, the same plan), so the first pass pickles each chunk's
PreparedChunk to a temporary file in order and the second reads them back instead of
working them out again. Memory stays flat (one chunk at a time); the file is deleted when
the stream is. A pass that stops early leaves nothing to reuse.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator

from campaign.contacts.chunk import PreparedChunk


class PreparedSpill:
    """PreparedChunks appended in file order; replayed, once complete, by any later pass."""

    def __init__(self) -> None:
        # Open as long as the spill lives (the stream that keeps it); deleted on close.
        self._file = tempfile.NamedTemporaryFile(prefix="campaign-chunks-", suffix=".pickle")  # noqa: SIM115
        self.count = 0
        self.complete = False

    def add(self, prepared: PreparedChunk) -> None:
        pickle.dump(prepared, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def finish(self) -> None:
        self._file.flush()
        self.complete = True

    def replay(self) -> Iterator[PreparedChunk]:
        """Each PreparedChunk in the order added (a handle of its own: passes may overlap)."""
        assert self.complete, "a spill is replayed only after a full pass"
        with open(self._file.name, "rb") as handle:
            for _ in range(self.count):
                yield pickle.load(handle)

    def close(self) -> None:
        self._file.close()
