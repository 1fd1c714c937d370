"""Compare a card's architecture with what config.json and the meta-device build say."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from cardkit.card.load import LoadedCard
from cardkit.core.findings import Finding
from cardkit.validate.codes import (
    ARCH_MISMATCH,
    CONFIG_MISMATCH,
    PARAM_ACK_STALE,
    PARAM_COUNT_ACKNOWLEDGED,
    PARAM_COUNT_MISMATCH,
)

if TYPE_CHECKING:  # annotations only: --no-model needs neither module
    from cardkit.model.meta_model import MetaFacts
    from cardkit.model.model_config import ConfigFacts

ACKNOWLEDGE_LIMIT = 0.001
"""Largest relative gap (0.1%) a card may acknowledge instead of fixing."""

ARCH = "architecture"
# card field path -> ConfigFacts attribute
CONFIG_FIELDS: dict[tuple[str, ...], str] = {
    (ARCH, "model_type"): "model_type",
    (ARCH, "hidden_size"): "hidden_size",
    (ARCH, "num_layers"): "num_layers",
    (ARCH, "num_attention_heads"): "num_attention_heads",
    (ARCH, "num_kv_heads"): "num_kv_heads",
    (ARCH, "intermediate_size"): "intermediate_size",
    (ARCH, "vocab_size"): "vocab_size",
    (ARCH, "max_sequence_length"): "max_sequence_length",
    (ARCH, "positional_embedding", "type"): "positional_type",
    (ARCH, "positional_embedding", "rotary_fraction"): "rotary_fraction",
    (ARCH, "positional_embedding", "rope_theta"): "rope_theta",
    (ARCH, "activation"): "activation",
    (ARCH, "parallel_residual"): "parallel_residual",
    (ARCH, "qk_normalization"): "qk_normalization",
    (ARCH, "tied_embeddings"): "tied_embeddings",
}


def _card_value(card: Any, path: tuple[str, ...]) -> Any:
    value = card
    for part in path:
        value = getattr(value, part)
    return value


def _same(card_value: Any, truth: Any) -> bool:
    if isinstance(truth, float) or isinstance(card_value, float):
        return card_value is not None and truth is not None and abs(float(card_value) - float(truth)) < 1e-9
    return card_value == truth


def compare_config(loaded: LoadedCard, facts: ConfigFacts) -> Iterator[Finding]:
    for path, attribute in CONFIG_FIELDS.items():
        truth = getattr(facts, attribute)
        if truth is None:
            continue
        actual = _card_value(loaded.card, path)
        if actual is None and path[-1] == "rope_theta":
            continue
        if not _same(actual, truth):
            yield loaded.finding(
                CONFIG_MISMATCH,
                f"card says {actual!r}, config.json says {truth!r}",
                path,
                expected=truth,
                actual=actual,
            )


def compare_raw_config(loaded: LoadedCard, facts: dict[str, Any]) -> Iterator[Finding]:
    """The fast path's comparison: only what config.json states explicitly."""
    for field_name, truth in facts.items():
        path = (ARCH, field_name)
        actual = _card_value(loaded.card, path)
        if not _same(actual, truth):
            yield loaded.finding(
                CONFIG_MISMATCH,
                f"card says {actual!r}, config.json says {truth!r}",
                path,
                expected=truth,
                actual=actual,
            )


def compare_meta(loaded: LoadedCard, facts: MetaFacts) -> Iterator[Finding]:
    arch = loaded.card.architecture
    if arch.normalization != facts.normalization:
        yield loaded.finding(
            ARCH_MISMATCH,
            f"normalization: card says {arch.normalization!r}, the built model uses {facts.normalization!r}",
            (ARCH, "normalization"),
            expected=facts.normalization,
            actual=arch.normalization,
        )
    yield from compare_parameters(loaded, facts.parameters)


def compare_parameters(loaded: LoadedCard, computed: int) -> Iterator[Finding]:
    """Exact match is silent; a small acknowledged gap warns; anything else is an error."""
    params = loaded.card.architecture.parameters
    claimed, ack = params.count, params.acknowledged_difference
    diff = computed - claimed
    where = (ARCH, "parameters", "count")
    if diff == 0:
        if ack is not None:
            yield loaded.finding(
                PARAM_ACK_STALE,
                "claimed count now matches the architecture exactly; remove acknowledged_difference",
                (ARCH, "parameters", "acknowledged_difference"),
            )
        return
    relative = diff / claimed
    summary = (
        f"card claims {claimed:,} parameters; the architecture built from config.json has "
        f"{computed:,} ({diff:+,}, {relative:+.4%})"
    )
    if ack is not None and ack.amount == diff and abs(relative) <= ACKNOWLEDGE_LIMIT:
        yield loaded.finding(
            PARAM_COUNT_ACKNOWLEDGED,
            f"{summary}; acknowledged: {ack.reason.en}",
            where,
            expected=computed,
            actual=claimed,
        )
    elif ack is not None and ack.amount == diff:
        yield loaded.finding(
            PARAM_COUNT_MISMATCH,
            f"{summary}; more than {ACKNOWLEDGE_LIMIT:.1%} cannot be acknowledged",
            where,
            expected=computed,
            actual=claimed,
        )
    else:
        hint = f"; acknowledged_difference says {ack.amount:+,}" if ack else ""
        yield loaded.finding(
            PARAM_COUNT_MISMATCH, summary + hint, where, expected=computed, actual=claimed
        )
