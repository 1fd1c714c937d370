"""What the architecture expects a checkpoint to hold, built as transformers builds it.

The card's config.json is built on the meta device (no weights allocated): its persistent state
dict gives every tensor's name, shape and dtype, tied names, and transformers' own load-time key
renaming and ignore patterns, so `cardkit.checkpoint` compares stored tensors with exactly what
from_pretrained would accept or silently drop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

CONFIG_DTYPES = {
    "float32": "F32",
    "float16": "F16",
    "bfloat16": "BF16",
    "float64": "F64",
    "float8_e4m3fn": "F8_E4M3",
    "float8_e5m2": "F8_E5M2",
}
"""config.json's `dtype`/`torch_dtype` spellings -> safetensors dtype names."""

TORCH_DTYPES = {
    "torch.float32": "F32",
    "torch.float16": "F16",
    "torch.bfloat16": "BF16",
    "torch.float64": "F64",
    "torch.float8_e4m3fn": "F8_E4M3",
    "torch.float8_e5m2": "F8_E5M2",
    "torch.int64": "I64",
    "torch.int32": "I32",
    "torch.int16": "I16",
    "torch.int8": "I8",
    "torch.uint8": "U8",
    "torch.bool": "BOOL",
}


@dataclass(frozen=True)
class ExpectedTensor:
    shape: tuple[int, ...]
    dtype: str
    is_parameter: bool


@dataclass(frozen=True)
class ExpectedState:
    """The state dict the architecture loads: names, shapes, tied aliases and names it ignores."""

    tensors: dict[str, ExpectedTensor]
    aliases: list[tuple[str, ...]]
    """Groups of names that are one tensor (tied embeddings); a checkpoint needs only one of each."""
    ignore_unexpected: re.Pattern[str] | None
    """Stored names transformers drops without a word when the model has no such tensor (old
    attention masks, inv_freq); matched with `search`, and only against unexpected names."""
    ignore_missing: re.Pattern[str] | None
    """Model names transformers does not report when the checkpoint lacks them."""
    dtype: str | None
    """The dtype config.json declares for the weights, as a safetensors name."""
    rename: Any = None
    """Checkpoint name -> (model name, merged by a converter), as transformers renames keys on load."""

    def target(self, name: str) -> tuple[str, bool]:
        return self.rename(name) if self.rename is not None else (name, False)


def config_dtype(config_data: dict[str, Any]) -> str | None:
    """The weights' dtype as config.json declares it (`dtype` in transformers 5, `torch_dtype` before)."""
    value = config_data.get("dtype") or config_data.get("torch_dtype")
    return CONFIG_DTYPES.get(str(value).removeprefix("torch.")) if value else None


def expected_state(config: Any, config_data: dict[str, Any]) -> ExpectedState:
    """The persistent state dict of the architecture built on the meta device (no weights allocated)."""
    from cardkit.meta_model import build_meta_model  # noqa: PLC0415 - imports torch

    model = build_meta_model(config)
    parameter_ids = {id(p) for p in model.parameters()}
    state = model.state_dict(keep_vars=True)
    groups: dict[int, list[str]] = {}
    for name, tensor in state.items():
        groups.setdefault(id(tensor), []).append(name)
    tensors = {
        name: ExpectedTensor(
            tuple(t.shape), TORCH_DTYPES.get(str(t.dtype), str(t.dtype)), id(t) in parameter_ids
        )
        for name, t in state.items()
    }
    aliases = [tuple(names) for names in groups.values()]
    unexpected, missing = ignore_patterns(model)
    return ExpectedState(
        tensors, aliases, unexpected, missing, config_dtype(config_data), rename=_renamer(model, state)
    )


def _one_regex(patterns: set[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(rf"({pattern})" for pattern in patterns)) if patterns else None


def ignore_patterns(model: Any) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The unexpected- and missing-key regexes, built as transformers 5 builds them in
    `PreTrainedModel._adjust_missing_and_unexpected_keys`: the model's `_keys_to_ignore_on_load_*`
    (gathered from its sub-models by post_init), plus inv_freq and position_ids when the model has
    such buffers, each pattern a group of one alternation."""
    buffers = [name for name, _ in model.named_buffers()]
    unexpected = set(getattr(model, "_keys_to_ignore_on_load_unexpected", None) or ())
    if any(name.endswith("rotary_emb.inv_freq") for name in buffers):
        unexpected.add(r"rotary_emb\.inv_freq")
    if any(name.endswith("position_ids") for name in buffers):
        unexpected.add(r"(^|\.)position_ids$")
    missing = set(getattr(model, "_keys_to_ignore_on_load_missing", None) or ())
    return _one_regex(unexpected), _one_regex(missing)


def _renamer(model: Any, state: dict[str, Any]) -> Any:
    """transformers' own load-time key renaming for this model (None when this version has none).

    transformers 5 renames some checkpoint keys as it loads them and reverses that on save, so a
    repository's `embed_out.weight` is the model's `lm_head.weight`. Applying the same rules here
    compares what transformers will compare.
    """
    try:
        from transformers.conversion_mapping import get_model_conversion_mapping  # noqa: PLC0415
        from transformers.core_model_loading import (  # noqa: PLC0415
            WeightConverter,
            WeightRenaming,
            rename_source_key,
        )
    except ImportError:
        return None
    transforms = get_model_conversion_mapping(model)
    renamings = [t for t in transforms if isinstance(t, WeightRenaming)]
    converters = [t for t in transforms if isinstance(t, WeightConverter)]
    prefix = getattr(model, "base_model_prefix", None)

    def rename(name: str) -> tuple[str, bool]:
        target, converter = rename_source_key(name, renamings, converters, prefix, state)
        return target, converter is not None

    return rename
