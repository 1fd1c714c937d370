"""Size limits on the architecture a config.json describes, checked before anything is built.

The meta-device build allocates no weights, but it does create every module: a config that says
10^8 layers (the file is a few hundred bytes) would take gigabytes and hours, and sizes past
torch's limits fail deep inside the build. Each limit below is far above any published model;
a value past it, or one that is not a positive whole number, is a finding at its key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cardkit.card.codes import CONFIG_INVALID_VALUE, CONFIG_MODEL_TOO_LARGE, CONFIG_OUT_OF_RANGE
from cardkit.card.config_json import ConfigFile
from cardkit.card.yaml_source import dotted_path as dotted
from cardkit.core.findings import Finding

FieldPath = tuple[str | int, ...]

LIMITS: dict[str, tuple[tuple[str, ...], int, int]] = {
    "layers": (("num_hidden_layers", "n_layer", "num_layers", "n_layers", "decoder_layers"), 1, 1_024),
    "hidden size": (("hidden_size", "n_embd", "d_model"), 1, 65_536),
    "intermediate size": (
        ("intermediate_size", "ffn_hidden_size", "n_inner", "moe_intermediate_size", "ffn_dim"),
        1,
        1_048_576,
    ),
    "vocabulary size": (("vocab_size", "padded_vocab_size"), 1, 4_194_304),
    "attention heads": (
        ("num_attention_heads", "n_head", "num_heads", "num_key_value_heads", "num_kv_heads", "n_head_kv"),
        1,
        1_024,
    ),
    "experts": (("num_experts", "num_local_experts", "n_routed_experts", "moe_num_experts"), 0, 65_536),
}
"""What each limit is called in messages -> (the keys that state it in some family, minimum, maximum)."""
_LIMIT_OF = {key: (name, low, high) for name, (keys, low, high) in LIMITS.items() for key in keys}

MAX_PARAMETERS = 10**13
"""Ten trillion: ten times the largest published model; estimated from the sizes before building."""
MAX_MODULES = 2_000_000
"""Modules the build would create (about 12 per layer plus 3 per expert); each costs memory and time.
Doge's 16,384 small experts per layer (32 layers) are about 1.6 million by this estimate and build."""


def _numbers(data: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, Any]]:
    """(path, value) of every limited key at any depth: sub-configs (`text_config`) are built too."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in _LIMIT_OF and value is not None:
                yield (*path, key), value
            elif isinstance(value, dict | list):
                yield from _numbers(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _numbers(value, (*path, index))


def _sizes(data: Any) -> Iterator[tuple[FieldPath, Any]]:
    """Each limited value; a per-layer list (Gemma 3n's `intermediate_size`) gives one per item."""
    for path, value in _numbers(data):
        if isinstance(value, list) and value:
            yield from (((*path, index), item) for index, item in enumerate(value))
        else:
            yield path, value


def _first(data: dict[str, Any], name: str, default: int) -> int:
    for key in LIMITS[name][0]:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return default


def estimate(data: dict[str, Any]) -> tuple[int, int]:
    """Rough parameter and module counts of the model `data` describes (upper-bound flavoured)."""
    layers = _first(data, "layers", 1)
    hidden = _first(data, "hidden size", 1)
    inner = _first(data, "intermediate size", 4 * hidden)
    vocab = _first(data, "vocabulary size", 1)
    experts = max(1, _first(data, "experts", 1))
    parameters = layers * (4 * hidden * hidden + 3 * hidden * inner * experts) + 2 * vocab * hidden
    return parameters, layers * (12 + 3 * experts)


def check_limits(config: ConfigFile) -> list[Finding]:
    """Findings for sizes that are not positive whole numbers or exceed the limits; [] when buildable."""
    assert config.data is not None
    findings = []
    for path, value in _sizes(config.data):
        name, low, high = _LIMIT_OF[str(next(p for p in reversed(path) if isinstance(p, str)))]
        if not isinstance(value, int) or isinstance(value, bool):
            kind = type(value).__name__
            message = f"{dotted(path)} ({name}) must be a whole number, not {kind} {value!r:.40}"
            findings.append(config.finding(CONFIG_INVALID_VALUE, message, path))
        elif not low <= value <= high:
            message = f"{dotted(path)} ({name}) is {value:,}; cardkit builds models with {low:,} to {high:,}"
            findings.append(config.finding(CONFIG_OUT_OF_RANGE, message, path))
    if findings:
        return findings
    parameters, modules = estimate(config.data)
    if parameters > MAX_PARAMETERS or modules > MAX_MODULES:
        message = (
            f"the architecture would have about {parameters:.3g} parameters in {modules:,} modules; "
            f"cardkit builds at most {MAX_PARAMETERS:.0e} parameters and {MAX_MODULES:,} modules"
        )
        return [config.finding(CONFIG_MODEL_TOO_LARGE, message, ("num_hidden_layers",))]
    return []
