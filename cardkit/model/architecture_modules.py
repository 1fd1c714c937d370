"""Finding the parts of a module tree transformers built: the decoder stack, each block's attention
and feed-forward modules, linear layers (and GPT-2's transposed `Conv1D`), norms, integer settings.

Shared by the fact readers (`architecture_facts`, `architecture_attention`, `architecture_mlp`);
torch is imported inside functions only.
"""

from __future__ import annotations

from typing import Any


def linear_shape(module: Any) -> tuple[int, int, bool] | None:
    """(in, out, has bias) of an nn.Linear or of transformers' transposed `Conv1D` (GPT-2)."""
    import torch

    if isinstance(module, torch.nn.Linear):
        return module.in_features, module.out_features, module.bias is not None
    if type(module).__name__ == "Conv1D" and getattr(module, "weight", None) is not None:
        rows, cols = module.weight.shape
        return rows, cols, getattr(module, "bias", None) is not None
    return None


def linear_layers(module: Any, skip: tuple[Any, ...] = ()) -> list[tuple[str, tuple[int, int, bool]]]:
    found = []
    for name, child in module.named_modules():
        if any(child is s or is_inside(child, s) for s in skip):
            continue
        if (shape := linear_shape(child)) is not None:
            found.append((name, shape))
    return found


def is_inside(child: Any, parent: Any) -> bool:
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


def child_by_class(layer: Any, *words: str) -> tuple[str, Any] | None:
    """The outermost submodule of `layer` whose class name contains one of `words`."""
    for name, module in layer.named_modules():
        if name and any(word in type(module).__name__.lower() for word in words):
            return name, module
    return None


def attention_module(layer: Any) -> Any | None:
    found = child_by_class(layer, "attention", "attn")
    return found[1] if found else None


def mlp_module(layer: Any) -> Any | None:
    for name in ("mlp", "feed_forward", "ffn", "block_sparse_moe", "moe", "mixer_mlp"):
        if (module := getattr(layer, name, None)) is not None:
            return module
    found = child_by_class(layer, "mlp", "feedforward", "moe", "experts")
    return found[1] if found else None


def int_attr(module: Any, *names: str) -> int | None:
    for name in names:
        value = getattr(module, name, None)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def config_int(config: Any, name: str) -> int | None:
    try:
        value = getattr(config, name, None)
    except Exception:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def norm_kind(module: Any) -> str:
    name = type(module).__name__.lower()
    if "rms" in name:
        return "rmsnorm"
    if "layernorm" in name or "layer_norm" in name:
        return "layernorm"
    return name


def is_norm(module: Any) -> bool:
    return "norm" in type(module).__name__.lower()
