"""Upgrade card data written for an older `schema_version` to the current one, in memory.

Each step is a pure function of the parsed YAML, so a v1 card keeps validating (and a test pins
what each step changes); `cardkit` writes cards only in the current version.
"""

from __future__ import annotations

import copy
from typing import Any


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v2 separates the architecture's position limit from a published context length, and makes
    every structural fact optional (absent = the architecture does not have it). v1's defaults
    (`parallel_residual: false`, `qk_normalization: false`) were statements, so they are kept."""
    data = copy.deepcopy(data)
    data["schema_version"] = 2
    arch = data.get("architecture")
    if isinstance(arch, dict):
        if "max_sequence_length" in arch:
            arch["max_position_embeddings"] = arch.pop("max_sequence_length")
        arch.setdefault("parallel_residual", False)
        arch.setdefault("qk_normalization", False)
    return data


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """v3 states *which* layers use the sliding window, not how many. A v2 count equal to
    `num_layers` meant every layer (`all`); any other count does not say which, so it is left for
    the schema to reject at its line, asking for the layers."""
    data = copy.deepcopy(data)
    data["schema_version"] = 3
    arch = data.get("architecture")
    window = arch.get("sliding_window") if isinstance(arch, dict) else None
    if isinstance(arch, dict) and isinstance(window, dict):
        count, layers = window.get("layers"), arch.get("num_layers")
        if isinstance(count, int) and not isinstance(count, bool) and count == layers:
            window["layers"] = "all"
    return data


STEPS = {1: _v1_to_v2, 2: _v2_to_v3}
"""schema_version -> the function that lifts it one version."""


def migrate(data: Any) -> Any:
    """`data` lifted to the current schema_version; anything not a versioned mapping is returned as is."""
    while isinstance(data, dict) and isinstance(version := data.get("schema_version"), int):
        if (step := STEPS.get(version)) is None:
            break
        data = step(data)
    return data
