"""Pausing Python's cyclic garbage collector around work that makes many short-lived,
acyclic containers (parsing and indexing batches): the collector would rescan them over
and over, and reference counting frees them anyway."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Process-wide: only the caller that found the collector on turns it back on, so
    nested or concurrent pauses cannot leave it off."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
