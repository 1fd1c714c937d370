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
    config_int,
    decoder_layers,
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
    """Every architecture fact of `model` (built from `config` on the meta device)."""
    facts = ArchitectureFacts()
    facts.set("model_type", config.model_type)
    embedding = model.get_input_embeddings()
    width = getattr(embedding, "embedding_dim", None)
    facts.set("hidden_size", config_int(config, "hidden_size") or width, "no hidden_size and no embedding")
    rows = getattr(embedding, "num_embeddings", None)
    facts.set("vocab_size", config_int(config, "vocab_size") or rows, "no vocab_size and no embedding")
    facts.set("max_position_embeddings", config_int(config, "max_position_embeddings"))
    layers = decoder_layers(model)
    facts.set("num_layers", config_int(config, "num_hidden_layers") or len(layers) or None, "no layer stack")
    _parameters(facts, model)
    if not layers:
        facts.undetermined["layers"] = "no decoder layer stack found in the module tree"
        return facts
    _layer_types(facts, config, layers)
    attn_layer = next((layer for layer in layers if attention_module(layer) is not None), None)
    if attn_layer is not None:
        attention_facts(facts, config, model, attention_module(attn_layer))
        sliding_window_facts(facts, config, layers)
    else:
        facts.set("positional_embedding.type", "none")
    mlps = [mlp for layer in layers if (mlp := mlp_module(layer)) is not None]
    if mlps:
        mlp_facts(facts, config, mlps[0])
        routed = next((mlp for mlp in mlps[1:] if experts_module(mlp) is not None), None)
        if experts_module(mlps[0]) is None and routed is not None:  # DeepSeek: dense layers, then experts
            moe_facts(facts, config, routed, experts_module(routed))
    elif attn_layer is not None:  # OPT, XGLM: the feed-forward linears sit in the block itself
        mlp_facts(facts, config, attn_layer, skip=(attention_module(attn_layer),))
    _norm_facts(facts, config, model, attn_layer or layers[0])
    output = model.get_output_embeddings()
    facts.set("tied_embeddings", output is not None and output.weight is model.get_input_embeddings().weight)
    if output is not None and (shape := linear_shape(output)) is not None:
        facts.set("linear_biases.lm_head", shape[2])
    if "moe.num_experts" in facts.values or "moe.num_experts" in facts.undetermined:
        facts.set(
            "parameters.active",
            active_parameters(model, facts),
            "not one number: the expert count or experts per token is unknown, or the routed experts "
            "differ in size (zero-computation experts make the count vary per token)",
        )
    return facts


def facts_for_config(config: Any) -> ArchitectureFacts:
    """Build `config` on the meta device (no weights, never remote code) and read its facts."""
    from cardkit.model.meta_model import build_meta_model  # lazy: imports torch

    return read_facts(config, build_meta_model(config))


def _parameters(facts: ArchitectureFacts, model: Any) -> None:
    """The exact total, tied weights once (an MoE's active count is set once its experts are read)."""
    total = sum(p.numel() for p in model.parameters())
    facts.set("parameters.count", total)


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

def _norm_facts(facts: ArchitectureFacts, config: Any, model: Any, layer: Any) -> None:
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
    if attention is None or mlp is None:
        return
    wiring = trace_block(model, layer, attention, mlp, norms)
    if wiring is None:
        facts.undetermined["parallel_residual"] = "the block could not be traced on the meta device"
        return
    facts.set("parallel_residual", wiring.parallel)
    facts.set("norm_placement", wiring.placement, "norm placement not recognised")
    if wiring.parallel:
        facts.set("parallel_norms", wiring.parallel_norms, "parallel block norms not recognised")
