"""What the architecture expects a checkpoint to hold, built as transformers builds it.

The card's config.json is built on the meta device (no weights allocated): its persistent state
dict gives every tensor's name, shape and dtype, tied names, and transformers' own load-time key
renaming and ignore patterns, so `cardkit.model.checkpoint` compares stored tensors with exactly what
from_pretrained would accept or silently drop.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cardkit.core import cache as cache_store
from cardkit.core.dependencies import optional
from cardkit.model.checkpoint_files import candidates

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
    from cardkit.model.meta_model import build_meta_model  # lazy: imports torch

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
    mapping = optional("transformers.conversion_mapping", "get_model_conversion_mapping")
    loading = optional(
        "transformers.core_model_loading", "WeightConverter", "WeightRenaming", "rename_source_key"
    )
    if mapping is None or loading is None:
        return None
    rename_source_key = loading.rename_source_key
    transforms = mapping.get_model_conversion_mapping(model)
    renamings = [t for t in transforms if isinstance(t, loading.WeightRenaming)]
    converters = [t for t in transforms if isinstance(t, loading.WeightConverter)]
    prefix = getattr(model, "base_model_prefix", None)

    def rename(name: str) -> tuple[str, bool]:
        target, converter = rename_source_key(name, renamings, converters, prefix, state)
        return target, converter is not None

    return rename


# --- the inventory cache ------------------------------------------------------------------------

KIND = "expected"
"""`cardkit.core.cache` kind of the expected-state entries (`<cache root>/expected/<key>.json`)."""


@dataclass(frozen=True)
class CachedState:
    """An expected state read back from the cache, the checkpoint names it can rename, and the
    weight file names (`cardkit.model.checkpoint_files.candidates`) of the transformers that built it."""

    state: ExpectedState
    renames: dict[str, tuple[str, bool]]
    weights: list[tuple[str, bool, str]]


def cache_key(config_data: dict[str, Any]) -> str:
    """Same key for the same config content (key order and spacing aside), cardkit and libraries."""
    content = json.dumps(config_data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return cache_store.entry_key(KIND, content)


def cached_state(config_data: dict[str, Any], use_cache: bool) -> tuple[str | None, CachedState | None]:
    """This config's cache key (None without the cache) and its entry, when one is stored."""
    if not use_cache:
        return None, None
    key = cache_key(config_data)
    return key, load(key, config_dtype(config_data))


def expected_for(
    config_data: dict[str, Any],
    names: Iterable[str],
    build: Callable[[], Any],
    key: str | None,
    cached: CachedState | None,
) -> ExpectedState | None:
    """The expected state for this config: the cached one when it can rename every stored name in
    `names`, else built through `build()` (None when the config does not build) and stored.

    transformers' renaming is a function of the stored name and the architecture only, so an entry
    records the renames of every name it has been asked about; a checkpoint with a name the entry has
    not seen is answered by transformers, and the entry grows by that name. A hit imports neither
    torch nor transformers.
    """
    wanted = list(names)
    if cached is not None and all(name in cached.renames for name in wanted):
        return cached.state
    config = build()
    if config is None:
        return None
    state = expected_state(config, config_data)
    if key is not None:
        renames = dict(cached.renames) if cached is not None else {}
        renames.update((name, state.target(name)) for name in wanted)
        store(key, state, renames)
    return state


def store(key: str, state: ExpectedState, renames: dict[str, tuple[str, bool]]) -> None:
    """Best effort, through `cache_store` (signed, one file per key); never raises."""
    payload = {
        "tensors": [[name, list(t.shape), t.dtype, t.is_parameter] for name, t in state.tensors.items()],
        "aliases": [list(group) for group in state.aliases],
        "ignore_unexpected": state.ignore_unexpected.pattern if state.ignore_unexpected else None,
        "ignore_missing": state.ignore_missing.pattern if state.ignore_missing else None,
        "renames": [[name, target, converted] for name, (target, converted) in renames.items()],
        "weights": [list(candidate) for candidate in candidates()],
    }
    cache_store.write_entry(KIND, key, payload)


def load(key: str, dtype: str | None) -> CachedState | None:
    """The entry under `key`, every part type-checked; None for a missing or malformed one."""
    payload = cache_store.read_entry(KIND, key)
    try:
        return _from_payload(payload, dtype)
    except (ValueError, TypeError, re.error, RecursionError):
        return None


def _is_shape(value: Any) -> bool:
    return type(value) is list and all(type(dim) is int and dim >= 0 for dim in value)


def _pattern(value: Any) -> re.Pattern[str] | None:
    if value is None:
        return None
    if type(value) is not str:
        raise ValueError("ignore pattern is not a string")
    return re.compile(value)


def _from_payload(payload: Any, dtype: str | None) -> CachedState:
    fields = {"tensors", "aliases", "ignore_unexpected", "ignore_missing", "renames", "weights"}
    if type(payload) is not dict or set(payload) != fields:
        raise ValueError("not an expected state")
    tensors: dict[str, ExpectedTensor] = {}
    for item in payload["tensors"]:
        if not (type(item) is list and len(item) == 4 and type(item[0]) is str and _is_shape(item[1])):
            raise ValueError("tensor entry is not [name, shape, dtype, is_parameter]")
        if type(item[2]) is not str or type(item[3]) is not bool or item[0] in tensors:
            raise ValueError("tensor entry has a bad dtype or flag, or repeats a name")
        tensors[item[0]] = ExpectedTensor(tuple(item[1]), item[2], item[3])
    aliases = [tuple(group) for group in payload["aliases"] if type(group) is list]
    grouped = [name for group in aliases for name in group]
    if len(aliases) != len(payload["aliases"]) or sorted(grouped) != sorted(tensors) or not all(aliases):
        raise ValueError("aliases do not cover every tensor exactly once")
    renames: dict[str, tuple[str, bool]] = {}
    for item in payload["renames"]:
        if not (type(item) is list and len(item) == 3 and type(item[0]) is str and type(item[1]) is str):
            raise ValueError("rename entry is not [stored name, model name, converted]")
        if type(item[2]) is not bool:
            raise ValueError("rename entry's converted flag is not a boolean")
        renames[item[0]] = (item[1], item[2])
    unexpected, missing = _pattern(payload["ignore_unexpected"]), _pattern(payload["ignore_missing"])
    state = ExpectedState(tensors, aliases, unexpected, missing, dtype, rename=renames.__getitem__)
    return CachedState(state, renames, _weights(payload["weights"]))


def _weights(value: Any) -> list[tuple[str, bool, str]]:
    """transformers' weight file names as stored: plain file names, each with its kind."""
    if type(value) is not list or not value:
        raise ValueError("weight file names are not a list")
    weights = []
    for item in value:
        if not (type(item) is list and len(item) == 3 and type(item[0]) is str and type(item[1]) is bool):
            raise ValueError("weight file entry is not [name, sharded, format]")
        if not item[0] or "/" in item[0] or "\\" in item[0] or "\0" in item[0] or item[0] in (".", ".."):
            raise ValueError("weight file name is not a plain file name")
        if item[2] not in ("safetensors", "pytorch"):
            raise ValueError("weight file format is neither safetensors nor pytorch")
        weights.append((item[0], item[1], item[2]))
    return weights
