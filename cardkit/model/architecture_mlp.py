"""Feed-forward facts of the built architecture: the inner width, gating, biases, the activation
transformers names, and for a mixture of experts the expert counts and the active parameters.
"""

from __future__ import annotations

from typing import Any

from cardkit.core.facts import ArchitectureFacts
from cardkit.model.architecture_modules import config_int, int_attr, is_inside, linear_layers


def mlp_facts(facts: ArchitectureFacts, config: Any, mlp: Any, skip: tuple[Any, ...] = ()) -> None:
    from transformers.activations import ACT2CLS

    experts = experts_module(mlp)
    hidden = facts.values.get("hidden_size")
    dense = linear_layers(mlp, skip=(*skip, experts) if experts is not None else skip)
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
        moe_facts(facts, config, mlp, experts)
    by_class = {_activation_class(cls): key for key, cls in reversed(ACT2CLS.items())}
    acts = [type(m) for m in mlp.modules() if type(m) in by_class and not any(is_inside(m, s) for s in skip)]
    if acts:
        stated = [v for v in vars(config).values() if isinstance(v, str) and v in ACT2CLS]
        named = [v for v in stated if _activation_class(ACT2CLS[v]) is acts[0]]
        facts.set("activation", named[0] if named else by_class[acts[0]])
    else:
        facts.undetermined["activation"] = "the MLP holds no activation module transformers names"


def _activation_class(entry: object) -> object:
    """The class of an ACT2CLS entry: the entry itself, or the first of a (class, kwargs) pair."""
    return entry[0] if isinstance(entry, tuple) else entry


def experts_module(mlp: Any) -> Any | None:
    """The routed experts inside a feed-forward block, or None for a dense one."""
    return next((m for n, m in mlp.named_modules() if n.rsplit(".", 1)[-1] == "experts"), None)


def moe_facts(facts: ArchitectureFacts, config: Any, mlp: Any, experts: Any) -> None:
    import torch

    count = _expert_count(experts)
    facts.set("moe.num_experts", count, "expert count not readable from the experts module")
    top_k = next(
        (
            k
            for m in mlp.modules()
            if (k := int_attr(m, "top_k", "num_experts_per_tok", "experts_per_token"))
        ),
        None,
    ) or config_int(config, "num_experts_per_tok")
    facts.set(
        "moe.experts_per_token",
        top_k,
        "neither the router (`top_k`) nor the config (`num_experts_per_tok`) sets it; transformers' "
        "default config leaves it None, which its router cannot route with",
    )
    shared = next((m for n, m in mlp.named_children() if n in SHARED_NAMES), None)
    if shared is None:
        facts.set("moe.shared_experts", 0)
    elif isinstance(shared, torch.nn.ModuleList):
        facts.set("moe.shared_experts", len(shared))
    else:
        facts.set(
            "moe.shared_experts",
            _shared_as_experts(shared, experts, count)
            or config_int(config, "n_shared_experts")
            or config_int(config, "num_shared_experts"),
            "the shared expert's size is not a whole number of routed experts, and the config "
            "does not state a count",
        )


SHARED_NAMES = ("shared_expert", "shared_experts", "shared_mlp")
"""Children of a mixture-of-experts block that every token passes through (not `shared_expert_gate`)."""


def _expert_count(experts: Any) -> int | None:
    """Routed experts: the list's length, or the leading size of the fused weights. Where the fused
    weights disagree (LongCat-Flash's `gate_up_proj` has rows for its zero-computation experts,
    `down_proj` only for the real ones) the module's own count of weighted experts decides."""
    import torch

    if isinstance(experts, torch.nn.ModuleList):
        return len(experts)
    shapes = {p.shape[0] for p in experts.parameters(recurse=False) if p.dim() == 3}
    if len(shapes) == 1:
        return int(shapes.pop())
    stored = int_attr(experts, "num_routed_experts", "num_experts")
    return stored if stored in shapes else None


def _shared_as_experts(shared: Any, experts: Any, count: int | None) -> int | None:
    """How many routed experts the one shared MLP transformers builds is as wide as: DeepSeek builds
    `n_shared_experts` of them as one MLP `n_shared_experts` times wider, Qwen1.5-MoE its 4 as one of
    `shared_expert_intermediate_size`; None when the sizes do not divide."""
    if not count or _uneven(experts):
        return None
    routed: int = sum(p.numel() for p in experts.parameters())
    size: int = sum(p.numel() for p in shared.parameters())
    if routed % count or not size or size % (routed // count):
        return None
    return size // (routed // count)


def _uneven(experts: Any) -> bool:
    """Fused expert weights whose leading sizes differ: not every expert has every weight."""
    return len({p.shape[0] for p in experts.parameters(recurse=False) if p.dim() == 3}) > 1


def active_parameters(tree: list[tuple[str, Any]], facts: ArchitectureFacts) -> int | None:
    """Parameters one token uses: all but the routed experts it is not sent to. None where that
    is not one number: experts without weights (LongCat-Flash's zero-computation experts, which
    the router picks like the others) make it vary from token to token."""
    count, top_k = facts.values.get("moe.num_experts"), facts.values.get("moe.experts_per_token")
    if not count or not top_k:
        return None
    unused = 0
    for name, module in tree:  # the model's named_modules()
        if name.rsplit(".", 1)[-1] != "experts":
            continue
        size = sum(p.numel() for p in module.parameters())
        if size % count or _uneven(module):
            return None
        unused += size // count * (count - top_k)
    total: int = facts.values["parameters.count"]
    return total - unused
