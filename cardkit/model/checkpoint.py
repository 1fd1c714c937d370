"""Check a checkpoint folder against the architecture the card describes, from headers alone.

The entry point of `--checkpoint`: the inventory of the files from_pretrained would load
(`cardkit.model.checkpoint_inventory`, headers only, so an 80 GB checkpoint is checked in well under
a second), compared with the state dict of the card's config.json built on the meta device
(`cardkit.model.checkpoint_compare`), the same build that gives the exact parameter count, and the
figures for the report. The stored parameter count is returned, not judged: the one verdict on a
count is `cardkit.validate.parameters`'.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardkit.core.findings import Finding
from cardkit.core.gc_policy import full_collections_paused
from cardkit.model.checkpoint_compare import compare, stored_parameters
from cardkit.model.checkpoint_files import candidates
from cardkit.model.checkpoint_inventory import Inventory, read_inventory
from cardkit.model.expected_state import ExpectedState, cached_state, expected_for
from cardkit.model.expected_state import config_dtype as config_dtype
from cardkit.model.expected_state import expected_state as expected_state

__all__ = [
    "CheckpointResult",
    "check_checkpoint",
    "config_dtype",
    "expected_state",
    "read_inventory",
    "stored_parameters",
    "summary",
]


@dataclass(frozen=True)
class CheckpointResult:
    """What `--checkpoint` found: tensor findings, the report's figures and the stored count."""

    findings: list[Finding]
    figures: dict[str, Any]
    stored_parameters: int | None
    """The parameters the headers add up to; None when a file could not be read cleanly (any
    inventory finding makes a total meaningless; that finding says why) or nothing was stored."""


def summary(inventory: Inventory, expected: ExpectedState | None) -> dict[str, Any]:
    """Figures for the report: what was read, how fast, and the parameters the headers add up to."""
    counts = Counter(record.dtype for record in inventory.tensors.values())
    return {
        "format": inventory.format,
        "shards": len(inventory.shards),
        "tensors": len(inventory.tensors),
        "parameters": stored_parameters(inventory, expected) if expected else None,
        "dtypes": dict(counts.most_common()),
        "header_bytes": inventory.header_bytes,
        "data_bytes": inventory.data_bytes,
        "seconds": round(inventory.seconds, 4),
    }


def check_checkpoint(
    folder: Path,
    config_data: dict[str, Any],
    build_config: Callable[[], Any],
    use_cache: bool = True,
) -> CheckpointResult | None:
    """Findings about the checkpoint in `folder`, the report's figures and the stored parameter
    count; None when the config does not build (`build_config()` returns None; the config stage has
    already said why).

    The architecture is built only when the expected state for this config is not cached
    (`cardkit.model.expected_state.cached_state`); full collections are paused throughout, since
    a first build imports torch and transformers and their objects would be rescanned for nothing.
    """
    with full_collections_paused():
        key, cached = cached_state(config_data, use_cache)
        names = cached.weights if cached else candidates()  # imports transformers: not in the timing
        inventory = read_inventory(folder, config_data, names)
        if not inventory.tensors:  # refused, absent or empty: the inventory's findings say which
            if cached is None and build_config() is None:
                return None
            return CheckpointResult(inventory.findings, summary(inventory, None), None)
        expected = expected_for(config_data, inventory.tensors, build_config, key, cached)
        if expected is None:
            return None
        stored = None if inventory.findings else stored_parameters(inventory, expected)
        findings = inventory.findings + compare(inventory, expected)
        return CheckpointResult(findings, summary(inventory, expected), stored)
