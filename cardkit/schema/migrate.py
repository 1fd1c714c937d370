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


STEPS = {1: _v1_to_v2}
"""schema_version -> the function that lifts it one version."""


def migrate(data: Any) -> Any:
    """`data` lifted to the current schema_version; anything not a versioned mapping is returned as is."""
    while isinstance(data, dict) and isinstance(version := data.get("schema_version"), int):
        if (step := STEPS.get(version)) is None:
            break
        data = step(data)
    return data
