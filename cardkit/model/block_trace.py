"""How one decoder block is wired, seen by running the model on the meta device up to that block.

Whether attention and MLP run in parallel, and whether the norms come before or after them, is
code, not configuration: Phi-2 and Falcon-7B share one norm, GPT-NeoX may feed both branches from
the block input through two norms, Llama runs them in sequence. A forward pass on fake tensors
(PyTorch's FakeTensorMode: shapes only, and transformers treats it as tracing, so no mask code
asks for data) costs no arithmetic; hooks record which tensor object each module received, and
the pass stops as
soon as attention and MLP of the chosen block have both been called. Identity of tensor objects
is the evidence: nothing is inferred from names.
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


def _hidden(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    import torch

    for value in (*args, kwargs.get("hidden_states"), *kwargs.values()):
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            return value
    return None


def trace_block(model: Any, layer: Any, attention: Any, mlp: Any, norms: list[Any]) -> BlockWiring | None:
    """The wiring of `layer`, or None when the forward pass does not reach it.

    First with the stack cut down to `layer` alone (a hybrid's state-space layers before it cost
    most of the pass), then, if the family's forward needs the whole stack, with all of it.
    """
    stack = next((m for m in model.modules() if any(child is layer for child in m.children())), None)
    if stack is not None and len(stack._modules) > 1:
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


def _trace(model: Any, layer: Any, attention: Any, mlp: Any, norms: list[Any]) -> BlockWiring | None:
    import torch
    from torch._subclasses.fake_tensor import FakeTensorMode

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
        with FakeTensorMode(allow_non_fake_inputs=True), torch.no_grad():
            model(input_ids=torch.zeros((1, 4), dtype=torch.long), use_cache=False)
    except _Seen:
        pass
    except Exception:
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
