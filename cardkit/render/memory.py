"""Inference memory from the architecture: what a reader needs to know before downloading weights.

Figures are arithmetic on facts the card states (and `cardkit validate` checks against the config):
weights are the exact parameter count times the bytes per parameter of each storage format, and
the key/value cache is 2 (keys and values) x attention layers x key/value heads x head width x 2
bytes (16-bit) per token. They are lower bounds: activations, quantisation scales and the serving
framework come on top, which the README says next to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cardkit.schema.architecture import Architecture

WEIGHT_FORMATS = (("bf16", 2.0), ("int8", 1.0), ("int4", 0.5))
"""(format, bytes per parameter): 16-bit (bf16 or fp16), 8-bit and 4-bit weights."""
KV_BYTES = 2
"""Bytes per cached key or value element at 16-bit precision."""


@dataclass(frozen=True)
class MemoryEstimate:
    parameters: int
    weights: dict[str, float]
    """Bytes of the weights in each format of `WEIGHT_FORMATS`."""
    kv_per_token: int | None
    """Bytes of keys and values one token adds, all attention layers; None when not computable."""
    context: int | None
    kv_full_context: int | None
    """Bytes of keys and values for one sequence at `context` tokens (sliding-window layers keep
    only their window); None when either is unknown."""


def computed_parameters(arch: Architecture) -> int:
    """The count built from the architecture: the claim plus any acknowledged difference."""
    difference = arch.parameters.acknowledged_difference
    return arch.parameters.count + (difference.amount if difference else 0)


def estimate(arch: Architecture) -> MemoryEstimate:
    """Weights and KV cache of `arch`; the KV figures are None for a hybrid stack (`layer_types`:
    which layers cache keys is not stated) or when the key/value heads or head width are absent."""
    count = computed_parameters(arch)
    weights = {name: count * size for name, size in WEIGHT_FORMATS}
    kv_heads = arch.num_kv_heads
    if arch.layer_types or kv_heads is None or arch.head_dim is None:
        return MemoryEstimate(count, weights, None, arch.context_length or arch.max_position_embeddings, None)
    per_layer = 2 * kv_heads * arch.head_dim * KV_BYTES
    context = arch.context_length or arch.max_position_embeddings
    full = None
    if context is not None:
        window = arch.sliding_window
        windowed = window.layer_count(arch.num_layers) if window else 0
        kept = min(window.tokens, context) if window else 0  # a window layer keeps only its window
        tokens = (arch.num_layers - windowed) * context + windowed * kept
        full = per_layer * tokens
    return MemoryEstimate(count, weights, per_layer * arch.num_layers, context, full)
