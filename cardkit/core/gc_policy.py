"""Garbage-collector settings for the import-heavy stretch of a run and for the CLI's process.

Importing torch and transformers' model code leaves about 350,000 objects for the collector to
track, and they live as long as the process. CPython rescans all of them in every full
(generation-2) collection, which it starts each time the long-lived objects have grown by a
quarter, and again while the interpreter tears down. None of them is garbage, so the scans are
wasted: about 0.2 s each on this project's 2-core machines (bench/bench_gate.py, bench_layout.py).

Two scopes, because a library call must leave the collector as it found it:

- `full_collections_paused` (library): no full collection inside the block (the first config's
  build imports torch); young generations are collected as usual, and the threshold is restored.
- `command_process` (the `cardkit` command only, whose process exits after one command): what is
  alive when the command starts, and what a paused block leaves after importing modules (torch,
  a model family's code, the card schema), is moved to the permanent generation (`gc.freeze`), so
  later full collections scan only the run's own objects: cheap, and still freeing the run's
  cyclic garbage, so memory stays bounded on a 1,000-card run. What such a block leaves besides
  its modules is one config's worth, frozen once per block that imported anything (a handful of
  model families), never once per card. Young collections start every `YOUNG` allocations.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

PAUSED = 1_000_000_000
"""A generation-2 threshold that is never reached within one run."""

YOUNG = 10_000
"""The command's youngest-generation threshold (Python's default is 700): a card's YAML nodes alone
are thousands of objects, and at 700 a 1,000-card run starts 1,300 young collections."""

_owned = False
"""True inside `command_process`: this process exits after the command, so freezing is safe."""


@contextmanager
def full_collections_paused() -> Iterator[None]:
    """Skip full collections inside the block; young generations are still collected as usual.

    Short-lived cycles made in the block are freed by the young collections; the ones that survive
    into the old generation wait for the first full collection after the block. In the command's
    process, a block that imported modules freezes what is alive at its end (see the module doc).
    """
    young, middle, old = gc.get_threshold()
    modules = len(sys.modules)
    gc.set_threshold(young, middle, PAUSED)
    try:
        yield
    finally:
        if _owned and len(sys.modules) > modules:
            gc.freeze()
        gc.set_threshold(young, middle, old)


@contextmanager
def command_process() -> Iterator[None]:
    """The `cardkit` command's whole run: imports done so far are frozen, and so are those of
    every paused block; young collections start every `YOUNG` allocations. Never for a library
    caller, whose process goes on after the call."""
    global _owned
    young, middle, old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(young, YOUNG), middle, old)
    _owned = True
    try:
        yield
    finally:
        _owned = False
        gc.set_threshold(young, middle, old)


def freeze_before_exit() -> None:
    """Move every object to the permanent generation, which the collections of teardown skip.

    Only for a process that is about to exit: garbage cycles frozen here are never collected, and
    the operating system takes the memory back a moment later anyway.
    """
    gc.freeze()
