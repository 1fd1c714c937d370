"""What a model *is*, read by transformers: its config class and the module tree on the meta device.

No alias tables: names are resolved by the config class (`attribute_map`, defaults) and every
structural fact is read from the modules transformers builds (which layers exist, their shapes,
which linear layers carry a bias, which embeddings are positional). Each fact is keyed by its path
under the card's `architecture:`. A fact the architecture does not have is absent from `values`;
a fact cardkit cannot determine is in `undetermined` with the reason, never guessed.

This module walks the decoder stack and gathers the facts; the readers are split by concern:
`architecture_modules` (finding modules), `architecture_attention` (attention and positions),
`architecture_mlp` (feed-forward and experts), `architecture_window` (sliding-window layers),
`block_trace` (the block's wiring). torch and transformers are imported inside functions only.
"""


from __future__ import annotations

from typing import Any

from cardkit.core.facts import ArchitectureFacts
from cardkit.model.architecture_attention import attention_facts
from cardkit.model.architecture_mlp import active_parameters, experts_module, mlp_facts, moe_facts
from cardkit.model.architecture_modules import (
    attention_module,
    attention_wrapper,
    config_int,
    decoder_layers,
    decoder_stack,
    feed_forward_entry,
    is_inside,
    is_norm,
    linear_shape,
    mlp_module,
    norm_kind,
)
from cardkit.model.architecture_window import sliding_window_facts
from cardkit.model.block_trace import trace_block

__all__ = ["active_parameters", "decoder_layers", "facts_for_config", "read_facts"]


def read_facts(config: Any, model: Any) -> ArchitectureFacts:
    """Every architecture fact of `model` (built from `config` on the meta device).

    The module tree is walked once here and handed to the readers that need all of it; the
    per-layer readers walk one block each.
    """
    facts = ArchitectureFacts()
    facts.set("model_type", config.model_type)
    tree = list(model.named_modules())
    embedding = model.get_input_embeddings()
    width = getattr(embedding, "embedding_dim", None)
    facts.set("hidden_size", config_int(config, "hidden_size") or width, "no hidden_size and no embedding")
    rows = getattr(embedding, "num_embeddings", None)
    facts.set("vocab_size", config_int(config, "vocab_size") or rows, "no vocab_size and no embedding")
    facts.set("max_position_embeddings", config_int(config, "max_position_embeddings"))
    stack = decoder_stack(model, tree)
    layers = list(stack) if stack is not None else []
    facts.set("num_layers", config_int(config, "num_hidden_layers") or len(layers) or None, "no layer stack")
    _parameters(facts, tree)
    if stack is None:
        facts.undetermined["layers"] = "no decoder layer stack found in the module tree"
        return facts
    _layer_types(facts, config, layers)
    attn_layer = next((layer for layer in layers if attention_module(layer) is not None), None)
    if attn_layer is not None:
        attention = attention_module(attn_layer)
        attention_facts(facts, config, model, tree, attention, attention_wrapper(attn_layer))
        sliding_window_facts(facts, config, layers)
    else:
        facts.set("positional_embedding.type", "none")
    _feed_forward_facts(facts, config, layers, attn_layer, has_experts=_names_experts(tree))
    _norm_facts(facts, config, model, stack, attn_layer or layers[0])
    output = model.get_output_embeddings()
    facts.set("tied_embeddings", output is not None and output.weight is model.get_input_embeddings().weight)
    if output is not None and (shape := linear_shape(output)) is not None:
        facts.set("linear_biases.lm_head", shape[2])
    if "moe.num_experts" in facts.values or "moe.num_experts" in facts.undetermined:
        facts.set(
            "parameters.active",
            active_parameters(tree, facts),
            "not one number: the expert count or experts per token is unknown, or the routed experts "
            "differ in size (zero-computation experts make the count vary per token)",
        )
    return facts


def _names_experts(tree: list[tuple[str, Any]]) -> bool:
    return any(name.rsplit(".", 1)[-1] == "experts" for name, _ in tree)


def _feed_forward_facts(
    facts: ArchitectureFacts, config: Any, layers: list[Any], attn_layer: Any, *, has_experts: bool
) -> None:
    """The first block's feed-forward; with DeepSeek's dense layers first, the experts of the first
    layer that has them (searched only when the tree holds experts at all)."""
    first = next((mlp for layer in layers if (mlp := mlp_module(layer)) is not None), None)
    if first is not None:
        mlp_facts(facts, config, first)
        if has_experts and experts_module(first) is None:
            mlps = (mlp_module(layer) for layer in layers)
            routed = next((m for m in mlps if m is not None and experts_module(m) is not None), None)
            if routed is not None:
                moe_facts(facts, config, routed, experts_module(routed))
    elif attn_layer is not None:  # OPT, XGLM: the feed-forward linears sit in the block itself
        mlp_facts(facts, config, attn_layer, skip=(attention_module(attn_layer),))


def facts_for_config(config: Any) -> ArchitectureFacts:
    """Build `config` on the meta device (no weights, never remote code) and read its facts."""
    from cardkit.model.meta_model import build_meta_model  # lazy: imports torch

    return read_facts(config, build_meta_model(config))


def _parameters(facts: ArchitectureFacts, tree: list[tuple[str, Any]]) -> None:
    """The exact total, tied weights once (an MoE's active count is set once its experts are read):
    what `model.parameters()` sums, read from the tree already walked (each module's own
    `_parameters`, which `parameters(recurse=False)` reads through five generator layers)."""
    unique = {id(p): p.numel() for _, module in tree for p in module._parameters.values() if p is not None}
    facts.set("parameters.count", sum(unique.values()))


def _layer_types(facts: ArchitectureFacts, config: Any, layers: list[Any]) -> None:
    kinds = getattr(config, "layer_types", None)
    if isinstance(kinds, list | tuple) and kinds and all(isinstance(k, str) for k in kinds):
        counts: dict[str, int] = {}
        for kind in kinds:
            counts[kind] = counts.get(kind, 0) + 1
        if len(counts) > 1:
            facts.set("layer_types", counts)
        return
    classes: dict[str, int] = {}
    for layer in layers:
        classes[type(layer).__name__] = classes.get(type(layer).__name__, 0) + 1
    if len(classes) > 1:
        facts.set("layer_types", classes)

def _norm_facts(facts: ArchitectureFacts, config: Any, model: Any, stack: Any, layer: Any) -> None:
    attention, mlp = attention_module(layer), mlp_module(layer)
    inner = [m for m in (attention, mlp) if m is not None]
    norms = [
        m
        for m in layer.modules()
        if is_norm(m) and m is not layer and not any(is_inside(m, p) for p in inner)
    ]
    if norms:
        facts.set("normalization", norm_kind(norms[0]))
    else:
        facts.undetermined["normalization"] = "no normalisation module in the decoder block"
    if attention is None:
        return
    feed_forward = mlp if mlp is not None else feed_forward_entry(layer)
    if feed_forward is None:
        facts.undetermined["parallel_residual"] = "no feed-forward layer found in the block"
        return
    wiring = trace_block(model, stack, layer, attention, feed_forward, norms)
    if wiring is None:
        facts.undetermined["parallel_residual"] = "the block could not be traced on the meta device"
        return
    facts.set("parallel_residual", wiring.parallel)
    facts.set("norm_placement", wiring.placement, "norm placement not recognised")
    if wiring.parallel:
        facts.set("parallel_norms", wiring.parallel_norms, "parallel block norms not recognised")
