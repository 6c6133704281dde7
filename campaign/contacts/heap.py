"""Giving a chunk's freed memory back to the operating system before the next chunk.

A chunk's cells, numbers and JSON are many small and mid-sized allocations; once the chunk
is done they are free, but glibc keeps the pages for reuse, so a long list's peak grows
with fragmentation rather than with what is live. `release()` asks glibc to return free
pages (malloc_trim), a few milliseconds a chunk; elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable


def _trimmer() -> Callable[[], object] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return None
    trim.argtypes = [ctypes.c_size_t]
    return lambda: trim(0)


_TRIM = _trimmer()


def release() -> None:
    """Return the heap's free pages to the OS (glibc); a no-op elsewhere."""
    if _TRIM is not None:
        _TRIM()
