"""Garbage-collector settings for the import-heavy stretch of a run and for the exit of the CLI.

Importing torch and transformers' model code leaves about 350,000 objects for the collector to
track, and they live as long as the process. CPython rescans all of them in every full
(generation-2) collection, which it starts each time the long-lived objects have grown by a
quarter, and again while the interpreter tears down. None of them is garbage, so the scans are
wasted: 1.4 s of a cold `cardkit validate` of the six shipped cards (bench/bench_gate.py).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

PAUSED = 1_000_000_000
"""A generation-2 threshold that is never reached within one run."""


@contextmanager
def full_collections_paused() -> Iterator[None]:
    """Skip full collections inside the block; young generations are still collected as usual.

    Short-lived cycles made in the block are freed by the young collections; the ones that survive
    into the old generation wait for the first full collection after the block.
    """
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, PAUSED)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)


def freeze_before_exit() -> None:
    """Move every object to the permanent generation, which the collections of teardown skip.

    Only for a process that is about to exit: garbage cycles frozen here are never collected, and
    the operating system takes the memory back a moment later anyway.
    """
    gc.freeze()
