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
    """The decoder stack's blocks (see `decoder_stack`); empty when there is none."""
    stack = decoder_stack(model, list(model.named_modules()))
    return list(stack) if stack is not None else []


def decoder_stack(model: Any, tree: list[tuple[str, Any]]) -> Any | None:
    """The decoder stack, wherever the family nests it: a ModuleList of blocks. `tree` is the
    model's `named_modules()`, walked once by the caller.

    A multimodal model holds other stacks too (GIT's vision encoder has twice the text model's
    layers), so the stack whose length is the text config's layer count wins; without one, the
    longest.
    """
    import torch

    stacks = [
        module
        for _, module in tree
        if isinstance(module, torch.nn.ModuleList)
        and len(module) > 0
        and all(len(block._modules) > 0 for block in module)
    ]
    if not stacks:
        return None
    config: Any = getattr(model, "config", None)
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    stated = config_int(text, "num_hidden_layers")
    matching = [stack for stack in stacks if len(stack) == stated]
    return max(matching or stacks, key=len)


def child_by_class(layer: Any, *words: str) -> tuple[str, Any] | None:
    """The outermost submodule of `layer` whose class name contains one of `words`."""
    for name, module in layer.named_modules():
        if name and _is_kind(module, words):
            return name, module
    return None


_ATTENTION_WORDS = ("attention", "attn")
_MLP_WORDS = ("mlp", "feedforward", "moe", "experts")


def attention_module(layer: Any) -> Any | None:
    """The attention branch proper (inside any residual wrapper): what QK norms and the trace read."""
    found = attention_wrapper(layer)
    return unwrapped(found, _ATTENTION_WORDS, whole=False) if found is not None else None


def attention_wrapper(layer: Any) -> Any | None:
    """The outermost attention module of `layer`: with BERT's wrapper, where its output projection is.

    A module is attention only if it projects (holds a weight matrix, in a linear layer or as
    XLNet's bare q/k/v/o parameters): Inkling 2's `BlockAttentionResidual`, a weightless norm that
    mixes earlier blocks' outputs, says attention in its class name and projects nothing.
    """
    for name, module in layer.named_modules():
        if name and _is_kind(module, _ATTENTION_WORDS) and _projects(module):
            return module
    return None


def _projects(module: Any) -> bool:
    return any(parameter.dim() >= 2 for parameter in module.parameters())


def mlp_module(layer: Any) -> Any | None:
    for name in ("mlp", "feed_forward", "ffn", "block_sparse_moe", "moe", "mixer_mlp"):
        if (module := getattr(layer, name, None)) is not None:
            return unwrapped(module, _MLP_WORDS, whole=True)
    found = child_by_class(layer, *_MLP_WORDS)
    return unwrapped(found[1], _MLP_WORDS, whole=True) if found else None


def feed_forward_entry(layer: Any) -> Any | None:
    """The first linear layer of a block's feed-forward when the block has no MLP module of its own.

    OPT, BART and BERT keep `fc1`/`fc2` (or `intermediate.dense`) in the block itself: the first
    linear outside every attention module (cross-attention included) is where the feed-forward
    reads its input, which is all the wiring trace needs.
    """
    attentions = [m for m in layer.modules() if m is not layer and _is_kind(m, _ATTENTION_WORDS)]
    for module in layer.modules():
        if linear_shape(module) is not None and not any(is_inside(module, a) for a in attentions):
            return module
    return None


def _is_kind(module: Any, words: tuple[str, ...]) -> bool:
    return any(word in type(module).__name__.lower() for word in words)


def unwrapped(module: Any, words: tuple[str, ...], *, whole: bool) -> Any:
    """The branch itself when `module` is a residual wrapper around it.

    CPM-Ant's `SelfAttentionBlock` and `FFNBlock` hold the pre-norm beside the branch they wrap, and
    BERT's `BertAttention` holds the post-norm beside `BertSelfAttention`: those norms are the
    block's, not the branch's (they are not QK norms), and the branch proper is the inner module. A
    wrapper is recognised by structure: an inner module of the same kind that holds weights, and a
    norm outside it. With `whole`, every weight of the wrapper outside its norms must also lie in
    that inner module, so a mixture-of-experts block (router, experts and shared experts beside one
    norm) stays whole.
    """
    while (inner := child_by_class(module, *words)) is not None:
        branch = inner[1]
        outside = [m for m in module.modules() if m is not module and not is_inside(m, branch)]
        if not any(is_norm(m) for m in outside) or not any(True for _ in branch.parameters()):
            break
        if whole and any(
            not is_norm(m) and any(True for _ in m.parameters(recurse=False)) for m in outside
        ):
            break
        module = branch
    return module


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
