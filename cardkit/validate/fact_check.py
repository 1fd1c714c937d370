"""Compare the architecture a card states with the facts transformers gives (`architecture_facts`).

Four outcomes per fact: the card agrees (silent); it contradicts what was built (error at its
line); it states something the built model does not have (error); it states something cardkit
cannot determine (a note: not checked). A determined fact a reader would be misled without
(experts, a sliding window, the heads) is a note when the card leaves it out. The `--no-model`
path (`cardkit.validate.raw_facts`) checks only what config.json states literally.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cardkit.card.load import CheckedCard
from cardkit.core.findings import Finding
from cardkit.schema.architecture import sliding_layers
from cardkit.validate.codes import (
    ARCH_FACT_ABSENT,
    ARCH_FACT_UNCHECKED,
    ARCH_FACT_UNSTATED,
    ARCH_MISMATCH,
    CONFIG_MISMATCH,
)
from cardkit.validate.parameters import compare_architecture

ARCH = "architecture"
NOT_FACTS = frozenset(
    {"parameters.count", "parameters.label", "parameters.source", "parameters.note", "context_length"}
)
"""Card fields under `architecture` that are claims or prose, not structure read from the model."""
LEAVES = frozenset({"layer_types", "sliding_window.layers"})
"""Mappings compared whole, not key by key."""
SAME_LAYERS = "sliding_window.layers"
"""Compared as the set of layers it names: `all`, a pattern and a list naming the same agree."""
UNSTATED_REPORTED = (
    "num_attention_heads", "num_kv_heads", "intermediate_size", "positional_embedding.type",
    "positional_embedding.rotary_fraction", "normalization", "activation", "moe", "parameters.active",
    "sliding_window",
)  # fmt: skip
"""Facts a reader would be misled without (a mixture of experts, a sliding window): left out, a note."""
STRUCTURE_ONLY = (
    "normalization",
    "norm_placement",
    "parallel_norms",
    "gated_mlp",
    "linear_biases",
    "layer_types",
)
"""Facts no config key states, only the built modules: a mismatch is `arch-mismatch`, not `config-`."""


def stated_facts(architecture: Any) -> dict[str, Any]:
    """The card's architecture as dotted path -> value, only what it states."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and prefix not in LEAVES:
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
        elif (
            value is not None
            and prefix not in NOT_FACTS
            and not prefix.startswith(("parameters.acknowledged_difference", "parameters.note"))
        ):
            flat[prefix] = value

    walk("", architecture.model_dump(mode="json", exclude_none=True))
    return flat


def _same(card_value: Any, truth: Any, dotted: str = "", num_layers: Any = None) -> bool:
    if dotted == SAME_LAYERS and isinstance(num_layers, int):
        return sliding_layers(card_value, num_layers) == sliding_layers(truth, num_layers)
    if isinstance(truth, bool) or isinstance(card_value, bool):
        return card_value is truth
    if isinstance(truth, float) or isinstance(card_value, float):
        return abs(float(card_value) - float(truth)) <= 1e-9 * max(1.0, abs(float(truth)))
    return bool(card_value == truth)


def _path(dotted: str) -> tuple[str, ...]:
    return (ARCH, *dotted.split("."))


def compare_facts(
    loaded: CheckedCard, values: dict[str, Any], undetermined: dict[str, str]
) -> Iterator[Finding]:
    """Every stated architecture fact against the built model's, located at the card's line."""
    stated = stated_facts(loaded.card.architecture)
    for dotted, truth in sorted(values.items()):
        if dotted == "parameters.count":
            continue
        if dotted not in stated:
            if not dotted.startswith(UNSTATED_REPORTED):
                continue
            yield loaded.finding(
                ARCH_FACT_UNSTATED,
                f"the built architecture has {dotted} = {truth!r}; the card does not say",
                _path(dotted),
                expected=truth,
            )
        elif not _same(stated[dotted], truth, dotted, values.get("num_layers")):
            yield loaded.finding(
                ARCH_MISMATCH if dotted.startswith(STRUCTURE_ONLY) else CONFIG_MISMATCH,
                f"{dotted}: card says {stated[dotted]!r}, the architecture built from config.json "
                f"has {truth!r}",
                _path(dotted),
                expected=truth,
                actual=stated[dotted],
            )
    for dotted, value in sorted(stated.items()):
        if dotted in values:
            continue
        if dotted in undetermined:
            yield loaded.finding(
                ARCH_FACT_UNCHECKED,
                f"{dotted} is not checked: {undetermined[dotted]}",
                _path(dotted),
                actual=value,
            )
        else:
            yield loaded.finding(
                ARCH_FACT_ABSENT,
                f"card states {dotted} = {value!r}, but the architecture built from config.json "
                "has no such thing",
                _path(dotted),
                actual=value,
            )
    if "parameters.count" in values:
        yield from compare_architecture(loaded, values["parameters.count"])
