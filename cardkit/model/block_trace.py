"""How one decoder block is wired, seen by running the model on the meta device up to that block.

Whether attention and MLP run in parallel, and whether the norms come before or after them, is
code, not configuration: Phi-2 and Falcon-7B share one norm, GPT-NeoX may feed both branches from
the block input through two norms, Llama runs them in sequence. A forward pass on tensors without
data costs no arithmetic; hooks record which tensor object each module received, and the pass
stops as soon as attention and MLP of the chosen block have both been called. Identity of tensor
objects is the evidence: nothing is inferred from names.

The tensors are meta tensors: about 5x quicker than PyTorch's FakeTensorMode, which this module
used before. Over the zoo they traced every family the fakes traced, plus two (CPM-Ant, Fuyu),
with the same wiring for each. transformers' mask code asks a meta tensor for values unless it
believes it is being compiled, so for the pass only `torch.compiler.is_compiling` answers True:
the branch `torch.compile` takes, which asks for no data. A family whose forward needs data
anyway (BLT's entropy patcher, JetMoE's expert sizes) stays untraced, and its wiring is reported
undetermined.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BlockWiring:
    parallel: bool
    placement: str | None
    """`pre` (norm feeds attention), `post` (attention reads the block input), None if neither."""
    parallel_norms: str | None
    """For a parallel block: `shared` (one norm feeds both) or `separate`."""


class _Seen(Exception):
    """Raised from a hook once both branches were seen: the rest of the forward pass is not needed."""


class _NeedsData(Exception):
    """The family's forward asked a meta tensor for its values: no retry can supply them."""


NO_DATA_MESSAGES = ("cannot be called on meta tensors", "Cannot copy out of meta tensor")
"""PyTorch's words when code asks a meta tensor for values (`.item()`, `.tolist()`, a copy)."""


def _hidden(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    import torch

    for value in (*args, kwargs.get("hidden_states"), *kwargs.values()):
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            return value
    return None


def trace_block(
    model: Any, stack: Any, layer: Any, attention: Any, mlp: Any, norms: list[Any]
) -> BlockWiring | None:
    """The wiring of `layer`, one of `stack`'s blocks, or None when the forward pass does not reach it.

    First with the stack cut down to `layer` alone (a hybrid's state-space layers before it cost
    most of the pass), then, if the family's forward needs the whole stack, with all of it. A
    forward that needs data is not retried.
    """
    try:
        return _trace_stack(model, stack, layer, attention, mlp, norms)
    except _NeedsData:
        return None


def _trace_stack(
    model: Any, stack: Any, layer: Any, attention: Any, mlp: Any, norms: list[Any]
) -> BlockWiring | None:
    if len(stack._modules) > 1:
        saved = dict(stack._modules)
        stack._modules.clear()
        stack._modules["0"] = layer
        try:
            wiring = _trace(model, layer, attention, mlp, norms)
        finally:
            stack._modules.clear()
            stack._modules.update(saved)
        if wiring is not None:
            return wiring
    return _trace(model, layer, attention, mlp, norms)


def _run_on_meta(model: Any, *, with_mask: bool) -> None:
    """The forward pass on meta tensors, with transformers on its compile path (no data asked for).

    `with_mask` passes a ready 4-D attention mask, which transformers' mask builders return as it
    is: a third of a small model's pass is building the mask otherwise. Families that read the
    mask themselves (BLOOM's ALiBi wants the 2-D one) are run again without it.
    """
    import torch

    compiler = torch.compiler
    saved = compiler.is_compiling
    compiler.is_compiling = lambda: True  # restored below, before anything else can ask
    inputs: dict[str, Any] = {"input_ids": torch.zeros((1, 4), dtype=torch.long, device="meta")}
    if with_mask:
        inputs["attention_mask"] = torch.zeros((1, 1, 4, 4), device="meta")
    try:
        with torch.no_grad():
            model(**inputs, use_cache=False)
    finally:
        compiler.is_compiling = saved


def _trace(model: Any, layer: Any, attention: Any, mlp: Any, norms: list[Any]) -> BlockWiring | None:
    for with_mask in (True, False):
        wiring = _trace_once(model, layer, attention, mlp, norms, with_mask=with_mask)
        if wiring is not None:
            return wiring
    return None


def _trace_once(
    model: Any, layer: Any, attention: Any, mlp: Any, norms: list[Any], *, with_mask: bool
) -> BlockWiring | None:
    seen: dict[str, Any] = {}
    norm_io: list[tuple[Any, Any]] = []

    def pre(name: str) -> Any:
        def hook(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
            if name not in seen:
                seen[name] = _hidden(args, kwargs)
            if "attention" in seen and "mlp" in seen:
                raise _Seen

        return hook

    def norm_hook(module: Any, args: tuple[Any, ...], output: Any) -> None:
        norm_io.append((args[0] if args else None, output))

    handles = [
        layer.register_forward_pre_hook(pre("layer"), with_kwargs=True),
        attention.register_forward_pre_hook(pre("attention"), with_kwargs=True),
        mlp.register_forward_pre_hook(pre("mlp"), with_kwargs=True),
        *(norm.register_forward_hook(norm_hook) for norm in norms),
    ]
    try:
        _run_on_meta(model, with_mask=with_mask)
    except _Seen:
        pass
    except Exception as exc:
        if any(words in str(exc) for words in NO_DATA_MESSAGES):
            raise _NeedsData from exc
        return None
    finally:
        for handle in handles:
            handle.remove()
    if "attention" not in seen or "mlp" not in seen or seen.get("layer") is None:
        return None
    return _classify(seen["layer"], seen["attention"], seen["mlp"], norm_io)


def _classify(block_in: Any, attn_in: Any, mlp_in: Any, norm_io: list[tuple[Any, Any]]) -> BlockWiring:
    def normed_from(tensor: Any) -> Any:
        """The input of the norm that produced `tensor`, or None if no norm did."""
        return next((src for src, out in norm_io if out is tensor), None)

    attn_src = normed_from(attn_in)
    if attn_in is block_in:
        placement: str | None = "post"
    elif attn_src is block_in:
        placement = "pre"
    else:
        placement = None
    shared = mlp_in is attn_in
    from_block = mlp_in is block_in or normed_from(mlp_in) is block_in
    parallel = shared or from_block
    norms = None
    if parallel:
        norms = (
            "shared"
            if shared and attn_src is not None
            else "separate"
            if normed_from(mlp_in) is not None
            else None
        )
    return BlockWiring(parallel, placement, norms)
