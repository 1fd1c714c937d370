"""What a model *is*, read by transformers: its config class and the module tree on the meta device.

No alias tables: names are resolved by the config class (`attribute_map`, defaults) and every
structural fact is read from the modules transformers builds (which layers exist, their shapes,
which linear layers carry a bias, which embeddings are positional). Each fact is keyed by its path
under the card's `architecture:`. A fact the architecture does not have is absent from `values`;
a fact cardkit cannot determine is in `undetermined` with the reason, never guessed.

torch and transformers are imported inside functions only (`cardkit.model.block_trace` for the wiring).
"""

from __future__ import annotations

from typing import Any

from cardkit.core.facts import ArchitectureFacts
from cardkit.model.block_trace import trace_block


def _linear_shape(module: Any) -> tuple[int, int, bool] | None:
    """(in, out, has bias) of an nn.Linear or of transformers' transposed `Conv1D` (GPT-2)."""
    import torch

    if isinstance(module, torch.nn.Linear):
        return module.in_features, module.out_features, module.bias is not None
    if type(module).__name__ == "Conv1D" and getattr(module, "weight", None) is not None:
        rows, cols = module.weight.shape
        return rows, cols, getattr(module, "bias", None) is not None
    return None


def _linears(module: Any, skip: tuple[Any, ...] = ()) -> list[tuple[str, tuple[int, int, bool]]]:
    found = []
    for name, child in module.named_modules():
        if any(child is s or _inside(child, s) for s in skip):
            continue
        if (shape := _linear_shape(child)) is not None:
            found.append((name, shape))
    return found


def _inside(child: Any, parent: Any) -> bool:
    return any(child is m for m in parent.modules())


def decoder_layers(model: Any) -> list[Any]:
    """The longest ModuleList of blocks: the decoder stack, wherever the family nests it."""
    import torch

    best: list[Any] = []
    for module in model.modules():
        if (
            isinstance(module, torch.nn.ModuleList)
            and len(module) > len(best)
            and all(len(list(block.children())) > 0 for block in module)
        ):
            best = list(module)
    return best


def _child_by_class(layer: Any, *words: str) -> tuple[str, Any] | None:
    """The outermost submodule of `layer` whose class name contains one of `words`."""
    for name, module in layer.named_modules():
        if name and any(word in type(module).__name__.lower() for word in words):
            return name, module
    return None


def _attention(layer: Any) -> Any | None:
    found = _child_by_class(layer, "attention", "attn")
    return found[1] if found else None


def _mlp(layer: Any) -> Any | None:
    for name in ("mlp", "feed_forward", "ffn", "block_sparse_moe", "moe", "mixer_mlp"):
        if (module := getattr(layer, name, None)) is not None:
            return module
    found = _child_by_class(layer, "mlp", "feedforward", "moe", "experts")
    return found[1] if found else None


def _int_attr(module: Any, *names: str) -> int | None:
    for name in names:
        value = getattr(module, name, None)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def _config_int(config: Any, name: str) -> int | None:
    try:
        value = getattr(config, name, None)
    except Exception:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _norm_kind(module: Any) -> str:
    name = type(module).__name__.lower()
    if "rms" in name:
        return "rmsnorm"
    if "layernorm" in name or "layer_norm" in name:
        return "layernorm"
    return name


def _is_norm(module: Any) -> bool:
    return "norm" in type(module).__name__.lower()


def read_facts(config: Any, model: Any) -> ArchitectureFacts:
    """Every architecture fact of `model` (built from `config` on the meta device)."""
    facts = ArchitectureFacts()
    facts.set("model_type", config.model_type)
    embedding = model.get_input_embeddings()
    width = getattr(embedding, "embedding_dim", None)
    facts.set("hidden_size", _config_int(config, "hidden_size") or width, "no hidden_size and no embedding")
    rows = getattr(embedding, "num_embeddings", None)
    facts.set("vocab_size", _config_int(config, "vocab_size") or rows, "no vocab_size and no embedding")
    facts.set("max_position_embeddings", _config_int(config, "max_position_embeddings"))
    layers = decoder_layers(model)
    facts.set("num_layers", _config_int(config, "num_hidden_layers") or len(layers) or None, "no layer stack")
    _parameters(facts, model)
    if not layers:
        facts.undetermined["layers"] = "no decoder layer stack found in the module tree"
        return facts
    _layer_types(facts, config, layers)
    attn_layer = next((layer for layer in layers if _attention(layer) is not None), None)
    if attn_layer is not None:
        _attention_facts(facts, config, model, _attention(attn_layer))
    else:
        facts.set("positional_embedding.type", "none")
    mlps = [mlp for layer in layers if (mlp := _mlp(layer)) is not None]
    if mlps:
        _mlp_facts(facts, config, mlps[0])
        routed = next((mlp for mlp in mlps[1:] if _experts(mlp) is not None), None)
        if _experts(mlps[0]) is None and routed is not None:  # DeepSeek: dense layers first, then experts
            _moe_facts(facts, config, routed, _experts(routed))
    elif attn_layer is not None:  # OPT, XGLM: the feed-forward linears sit in the block itself
        _mlp_facts(facts, config, attn_layer, skip=(_attention(attn_layer),))
    _norm_facts(facts, config, model, attn_layer or layers[0])
    output = model.get_output_embeddings()
    facts.set("tied_embeddings", output is not None and output.weight is model.get_input_embeddings().weight)
    if output is not None and (shape := _linear_shape(output)) is not None:
        facts.set("linear_biases.lm_head", shape[2])
    if "moe.num_experts" in facts.values or "moe.num_experts" in facts.undetermined:
        facts.set("parameters.active", active_parameters(model, facts), "active parameters not computable")
    return facts


def facts_for_config(config: Any) -> ArchitectureFacts:
    """Build `config` on the meta device (no weights, never remote code) and read its facts."""
    from cardkit.model.meta_model import build_meta_model  # lazy: imports torch

    return read_facts(config, build_meta_model(config))


def _parameters(facts: ArchitectureFacts, model: Any) -> None:
    """Total and, for mixture-of-experts models, active parameters, both exact."""
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


def _attention_facts(facts: ArchitectureFacts, config: Any, model: Any, attention: Any) -> None:
    heads = _config_int(config, "num_attention_heads") or _int_attr(
        attention, "num_heads", "num_attention_heads"
    )
    facts.set("num_attention_heads", heads, "neither the config nor the attention module states it")
    head_dim = next(
        (
            d
            for m in attention.modules()
            if (d := _int_attr(m, "head_dim", "head_size", "attention_head_size"))
        ),
        None,
    ) or _config_int(config, "head_dim")
    facts.set("head_dim", head_dim, "the attention module does not state its head width")
    facts.set("num_kv_heads", _kv_heads(attention, heads, head_dim), "key/value width not readable")
    hidden = facts.values.get("hidden_size")
    linears = _linears(attention)
    out_index = max((i for i, (_, s) in enumerate(linears) if s[1] == hidden), default=None)
    if out_index is not None:
        facts.set("linear_biases.attention_output", linears[out_index][1][2])
        qkv = [s for i, (_, s) in enumerate(linears) if i != out_index]
        if qkv:
            facts.set("linear_biases.qkv", any(s[2] for s in qkv))
    latent = _latent_attention(facts, config, attention)
    facts.set(
        "qk_normalization",
        any(_is_norm(m) for m in attention.modules() if m is not attention and m not in latent),
    )
    _positional(facts, config, model, head_dim)
    _sliding_window(facts, config)


def _latent_attention(facts: ArchitectureFacts, config: Any, attention: Any) -> list[Any]:
    """Multi-head latent attention (DeepSeek-V2/V3): keys and values, and queries when a rank is set,
    are projected through a low-rank latent that has its own norm. The ranks are the config's, stated
    only when a norm of exactly that width sits in the attention module; returns those latent norms
    (they normalise the latents, not the queries and keys)."""
    norms = {
        width: module
        for module in attention.modules()
        if _is_norm(module) and isinstance(width := _norm_width(module), int)
    }
    found = []
    ranks = (("latent_attention.kv_rank", "kv_lora_rank"), ("latent_attention.query_rank", "q_lora_rank"))
    for fact, key in ranks:
        rank = _config_int(config, key)
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
                shape = _linear_shape(module)
                if shape is not None and shape[1] % head_dim == 0:
                    return shape[1] // head_dim
    stored = _int_attr(attention, "num_key_value_heads", "num_kv_heads", "n_kv_heads")
    if stored:
        return stored
    groups = _int_attr(attention, "num_key_value_groups")
    if groups and heads and heads % groups == 0:
        return heads // groups
    linears = _linears(attention)
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


def _module_source(cls: type) -> str:
    """The source of the module that defines `cls`; empty when there is none to read (a class made
    at run time, whose module is not imported, or a module shipped without its .py files)."""
    import inspect

    module = inspect.getmodule(cls)
    if module is None:
        return ""
    try:
        return inspect.getsource(module)
    except (OSError, TypeError):  # no source file; a built-in module
        return ""


def _positional(facts: ArchitectureFacts, config: Any, model: Any, head_dim: int | None) -> None:
    rotary = next((m for m in model.modules() if "rotary" in type(m).__name__.lower()), None)
    learned = [
        m
        for name, m in model.named_modules()
        if type(m).__name__.endswith("Embedding")
        and m is not model.get_input_embeddings()
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


def _sliding_window(facts: ArchitectureFacts, config: Any) -> None:
    window = _config_int(config, "sliding_window")
    if window is None or getattr(config, "use_sliding_window", True) is False:
        return
    kinds = getattr(config, "layer_types", None)
    layers = _config_int(config, "num_hidden_layers")
    if isinstance(kinds, list | tuple):
        layers = sum(1 for k in kinds if k == "sliding_attention")
    if layers:
        facts.set("sliding_window.tokens", window)
        facts.set("sliding_window.layers", layers)


def _mlp_facts(facts: ArchitectureFacts, config: Any, mlp: Any, skip: tuple[Any, ...] = ()) -> None:
    from transformers.activations import ACT2CLS

    experts = _experts(mlp)
    hidden = facts.values.get("hidden_size")
    dense = _linears(mlp, skip=(*skip, experts) if experts is not None else skip)
    down = [s for _, s in dense if s[1] == hidden and s[0] != hidden]
    if experts is None and down:
        inner = down[-1][0]
        facts.set("intermediate_size", inner)
        ups = sum(s[1] for _, s in dense if s[0] == hidden and s[1] != hidden)
        facts.set("gated_mlp", ups == 2 * inner if ups in (inner, 2 * inner) else None, "MLP widths unusual")
        facts.set("linear_biases.mlp", any(s[2] for _, s in dense))
    elif experts is None:
        facts.undetermined["intermediate_size"] = "no down projection found in the MLP"
    else:
        _moe_facts(facts, config, mlp, experts)
    by_class = {_activation_class(cls): key for key, cls in reversed(ACT2CLS.items())}
    acts = [type(m) for m in mlp.modules() if type(m) in by_class and not any(_inside(m, s) for s in skip)]
    if acts:
        stated = [v for v in vars(config).values() if isinstance(v, str) and v in ACT2CLS]
        named = [v for v in stated if _activation_class(ACT2CLS[v]) is acts[0]]
        facts.set("activation", named[0] if named else by_class[acts[0]])
    else:
        facts.undetermined["activation"] = "the MLP holds no activation module transformers names"


def _activation_class(entry: object) -> object:
    """The class of an ACT2CLS entry: the entry itself, or the first of a (class, kwargs) pair."""
    return entry[0] if isinstance(entry, tuple) else entry


def _experts(mlp: Any) -> Any | None:
    """The routed experts inside a feed-forward block, or None for a dense one."""
    return next((m for n, m in mlp.named_modules() if n.rsplit(".", 1)[-1] == "experts"), None)


def _moe_facts(facts: ArchitectureFacts, config: Any, mlp: Any, experts: Any) -> None:
    import torch

    count: int | None
    if isinstance(experts, torch.nn.ModuleList):
        count = len(experts)
    else:
        shapes = [p.shape[0] for p in experts.parameters(recurse=False) if p.dim() == 3]
        count = shapes[0] if shapes and len(set(shapes)) == 1 else None
    facts.set("moe.num_experts", count, "expert count not readable from the experts module")
    top_k = next(
        (
            k
            for m in mlp.modules()
            if (k := _int_attr(m, "top_k", "num_experts_per_tok", "experts_per_token"))
        ),
        None,
    ) or _config_int(config, "num_experts_per_tok")
    facts.set("moe.experts_per_token", top_k, "experts per token not stated")
    shared = next((m for n, m in mlp.named_children() if n.startswith("shared_expert")), None)
    if shared is None:
        facts.set("moe.shared_experts", 0)
    elif isinstance(shared, torch.nn.ModuleList):
        facts.set("moe.shared_experts", len(shared))
    else:
        facts.set(
            "moe.shared_experts",
            _config_int(config, "n_shared_experts") or _config_int(config, "num_shared_experts"),
            "shared expert count not stated",
        )


def active_parameters(model: Any, facts: ArchitectureFacts) -> int | None:
    """Parameters one token uses: all but the routed experts it is not sent to."""
    count, top_k = facts.values.get("moe.num_experts"), facts.values.get("moe.experts_per_token")
    if not count or not top_k:
        return None
    unused = 0
    for name, module in model.named_modules():
        if name.rsplit(".", 1)[-1] != "experts":
            continue
        size = sum(p.numel() for p in module.parameters())
        if size % count:
            return None
        unused += size // count * (count - top_k)
    total: int = facts.values["parameters.count"]
    return total - unused


def _norm_facts(facts: ArchitectureFacts, config: Any, model: Any, layer: Any) -> None:
    attention, mlp = _attention(layer), _mlp(layer)
    inner = [m for m in (attention, mlp) if m is not None]
    norms = [
        m for m in layer.modules() if _is_norm(m) and m is not layer and not any(_inside(m, p) for p in inner)
    ]
    if norms:
        facts.set("normalization", _norm_kind(norms[0]))
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
