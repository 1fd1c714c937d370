"""Sliding-window attention: which layers attend only to a window of recent keys, and how wide it is.

Read per layer, from what transformers built: the attention module's own `sliding_window` (set
to the width on a windowed layer and to None on a full one, Gemma 2/3, Qwen2), narrowed by its
`is_sliding` where the module keeps both (EXAONE 4 stores the width on every layer but windows
only the sliding ones). A stack whose attention modules carry no such attribute is read from the
config's `layer_types` (a kind naming `sliding`); one with neither, from the config's
`sliding_window` itself, which transformers' mask then applies to every layer (Mistral). The
layers are stated as `all`, a repeating pattern (`period`, `sliding` positions), or a list.
"""

from __future__ import annotations

from typing import Any

from cardkit.core.facts import ArchitectureFacts
from cardkit.model.architecture_modules import config_int


def sliding_window_facts(facts: ArchitectureFacts, config: Any, layers: list[Any]) -> None:
    """`sliding_window.tokens` and `sliding_window.layers`, or nothing when no layer slides."""
    windows = _windows_per_layer(config, layers)
    sliding = [i for i, width in enumerate(windows) if width]
    if not sliding:
        return
    widths = {windows[i] for i in sliding}
    facts.set(
        "sliding_window.tokens",
        widths.pop() if len(widths) == 1 else None,
        "the layers use windows of different widths",
    )
    facts.set("sliding_window.layers", describe_layers([bool(width) for width in windows]))


def _windows_per_layer(config: Any, layers: list[Any]) -> list[int | None]:
    """The window width of each layer (None: it attends to every earlier position)."""
    holders = [_window_holder(layer) for layer in layers]
    if any(holder is not None for holder in holders):
        return [_module_window(holder) for holder in holders]
    window = config_int(config, "sliding_window")
    if window is None or getattr(config, "use_sliding_window", True) is False:
        return [None] * len(layers)
    kinds = getattr(config, "layer_types", None)
    if isinstance(kinds, list | tuple) and len(kinds) == len(layers):
        return [window if isinstance(k, str) and "sliding" in k else None for k in kinds]
    return [window] * len(layers)


def _window_holder(layer: Any) -> Any | None:
    """The module of `layer` that keeps its window: its attention, wherever the block nests it
    (Inkling 2 wraps it in a residual module whose class name also says attention)."""
    return next((m for m in layer.modules() if _states_window(m)), None)


def _states_window(module: Any) -> bool:
    """Whether `module` has a `sliding_window` attribute of its own or from its class: what
    `getattr` would find, without nn.Module's slow miss path on every module of every layer."""
    return "sliding_window" in vars(module) or hasattr(type(module), "sliding_window")


def _module_window(attention: Any | None) -> int | None:
    if attention is None or getattr(attention, "is_sliding", True) is False:
        return None
    width = getattr(attention, "sliding_window", None)
    return width if isinstance(width, int) and not isinstance(width, bool) and width > 0 else None


def describe_layers(flags: list[bool]) -> str | list[int] | dict[str, Any]:
    """The card's spelling of which layers slide: `all`; the shortest block repeated down the
    stack (at least twice, the last repeat may be cut short) as `{period, sliding}`; else the list
    of 0-based layer indices. `cardkit.schema.architecture.sliding_layers` expands any of them."""
    if all(flags):
        return "all"
    count = len(flags)
    for period in range(1, count // 2 + 1):
        if all(flags[i] == flags[i % period] for i in range(count)):
            return {"period": period, "sliding": [i for i in range(period) if flags[i]]}
    return [i for i, flag in enumerate(flags) if flag]
