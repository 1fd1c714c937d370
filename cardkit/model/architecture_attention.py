"""Attention facts of the built architecture: heads, head width, key/value heads, biases, latent
attention ranks, QK normalisation and the positional scheme (rotary, learned, ALiBi). Sliding windows
are read per layer by `architecture_window`.
"""

from __future__ import annotations

import inspect
from typing import Any

from cardkit.core.facts import ArchitectureFacts
from cardkit.model.architecture_modules import config_int, int_attr, is_norm, linear_layers, linear_shape


def attention_facts(
    facts: ArchitectureFacts,
    config: Any,
    model: Any,
    tree: list[tuple[str, Any]],
    attention: Any,
    projections: Any,
) -> None:
    """Heads, widths, biases, QK norm and positions. `tree` is the model's `named_modules()`;
    `projections` is the attention module with its residual wrapper, if any (BERT keeps the output
    projection in the wrapper, beside the post-norm)."""
    heads = config_int(config, "num_attention_heads") or int_attr(
        attention, "num_heads", "num_attention_heads"
    )
    facts.set("num_attention_heads", heads, "neither the config nor the attention module states it")
    head_dim = next(
        (
            d
            for m in attention.modules()
            if (d := int_attr(m, "head_dim", "head_size", "attention_head_size"))
        ),
        None,
    ) or config_int(config, "head_dim")
    facts.set("head_dim", head_dim, "the attention module does not state its head width")
    facts.set("num_kv_heads", _kv_heads(attention, heads, head_dim), "key/value width not readable")
    hidden = facts.values.get("hidden_size")
    linears = linear_layers(projections)
    out_index = max((i for i, (_, s) in enumerate(linears) if s[1] == hidden), default=None)
    if out_index is not None:
        facts.set("linear_biases.attention_output", linears[out_index][1][2])
        qkv = [s for i, (_, s) in enumerate(linears) if i != out_index]
        if qkv:
            facts.set("linear_biases.qkv", any(s[2] for s in qkv))
    latent = _latent_attention(facts, config, attention)
    facts.set(
        "qk_normalization",
        any(is_norm(m) for m in attention.modules() if m is not attention and m not in latent),
    )
    _positional(facts, config, model, tree, head_dim)


def _latent_attention(facts: ArchitectureFacts, config: Any, attention: Any) -> list[Any]:
    """Multi-head latent attention (DeepSeek-V2/V3): keys and values, and queries when a rank is set,
    are projected through a low-rank latent that has its own norm. The ranks are the config's, stated
    only when a norm of exactly that width sits in the attention module; returns those latent norms
    (they normalise the latents, not the queries and keys)."""
    norms = {
        width: module
        for module in attention.modules()
        if is_norm(module) and isinstance(width := _norm_width(module), int)
    }
    found = []
    ranks = (("latent_attention.kv_rank", "kv_lora_rank"), ("latent_attention.query_rank", "q_lora_rank"))
    for fact, key in ranks:
        rank = config_int(config, key)
        if rank and rank in norms:
            facts.set(fact, rank)
            found.append(norms[rank])
    return found


def _norm_width(module: Any) -> int | None:
    shape = getattr(module, "normalized_shape", None)
    if isinstance(shape, tuple | list) and len(shape) == 1:
        return int(shape[0])
    weight = getattr(module, "weight", None)
    return int(weight.shape[0]) if weight is not None and weight.dim() == 1 else None


def _kv_heads(attention: Any, heads: int | None, head_dim: int | None) -> int | None:
    """Key/value heads from the key projection's width, else from what the module stores."""
    if head_dim:
        for name, module in attention.named_modules():
            if name.rsplit(".", 1)[-1] in ("k_proj", "key", "k", "wk", "key_proj", "k_lin"):
                shape = linear_shape(module)
                if shape is not None and shape[1] % head_dim == 0:
                    return shape[1] // head_dim
    stored = int_attr(attention, "num_key_value_heads", "num_kv_heads", "n_kv_heads")
    if stored:
        return stored
    groups = int_attr(attention, "num_key_value_groups")
    if groups and heads and heads % groups == 0:
        return heads // groups
    linears = linear_layers(attention)
    if head_dim and heads and len(linears) == 2:  # one fused query/key/value projection and the output
        width = linears[0][1][1] // head_dim
        if linears[0][1][1] % head_dim == 0 and (width - heads) % 2 == 0 and width > heads:
            return (width - heads) // 2
    return None


def _rope_parameters(config: Any) -> dict[str, Any] | None:
    rope = getattr(config, "rope_parameters", None)
    if isinstance(rope, dict) and rope and all(isinstance(v, dict) for v in rope.values()):
        rope = rope.get("full_attention")  # per layer type (Gemma 3): the global layers' rotary
    return rope if isinstance(rope, dict) else None


def _positional(
    facts: ArchitectureFacts, config: Any, model: Any, tree: list[tuple[str, Any]], head_dim: int | None
) -> None:
    rotary = next((m for _, m in tree if "rotary" in type(m).__name__.lower()), None)
    inputs = model.get_input_embeddings()
    learned = [
        m
        for name, m in tree
        if type(m).__name__.endswith("Embedding")
        and m is not inputs
        and ("pos" in name.rsplit(".", 1)[-1] or name.endswith("wpe") or "Positional" in type(m).__name__)
    ]
    if getattr(config, "alibi", None) is True:
        facts.set("positional_embedding.type", "alibi")
    elif rotary is not None:
        facts.set("positional_embedding.type", "rotary")
        _rotary(facts, config, rotary, head_dim)
    elif learned:
        kind = "sinusoidal" if "sinusoidal" in type(learned[0]).__name__.lower() else "learned"
        facts.set("positional_embedding.type", kind)
    elif "alibi" in _module_source(type(model)).lower():
        facts.set("positional_embedding.type", "alibi")
    else:
        facts.undetermined["positional_embedding.type"] = "no rotary, learned or ALiBi positions found"


def _rotary(facts: ArchitectureFacts, config: Any, rotary: Any, head_dim: int | None) -> None:
    inv_freq = getattr(rotary, "inv_freq", None)
    if inv_freq is not None and head_dim and inv_freq.dim() == 1:
        facts.set("positional_embedding.rotary_fraction", 2 * inv_freq.numel() / head_dim)
    else:
        facts.undetermined["positional_embedding.rotary_fraction"] = "rotary width not readable"
    rope = _rope_parameters(config) or {}
    theta = rope.get("rope_theta")
    facts.set(
        "positional_embedding.rope_theta",
        float(theta) if isinstance(theta, int | float) else None,
        "rope_theta not stated by the config class",
    )
    kind = rope.get("rope_type")
    if isinstance(kind, str) and kind != "default":
        facts.set("positional_embedding.scaling.type", kind)
        factor = rope.get("factor")
        if isinstance(factor, int | float):
            facts.set("positional_embedding.scaling.factor", float(factor))


def _module_source(cls: type) -> str:
    """The source of the module that defines `cls`; empty when there is none to read (a class made
    at run time, whose module is not imported, or a module shipped without its .py files)."""
    module = inspect.getmodule(cls)
    if module is None:
        return ""
    try:
        return inspect.getsource(module)
    except (OSError, TypeError):  # no source file; a built-in module
        return ""
