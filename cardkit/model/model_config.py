"""Read a model's config.json through transformers' own config classes.

Going through the classes (never `AutoConfig` with remote code) resolves aliases such as
`n_head`/`num_attention_heads` and fills defaults the file leaves out, e.g. Falcon's tied
embeddings, exactly as transformers will when it loads the weights.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cardkit.card.codes import CONFIG_AUTO_MAP, CONFIG_INVALID, CONFIG_REMOTE_CODE
from cardkit.card.config_json import MAX_CONFIG_BYTES, ConfigFile, read_config_json
from cardkit.card.config_limits import check_limits
from cardkit.core.codes import Code
from cardkit.core.dependencies import require, version
from cardkit.core.findings import Finding, Severity

__all__ = ["MAX_CONFIG_BYTES", "ConfigFacts", "build_config", "read_config_json"]
LEGACY_MODEL_TYPES = {"RefinedWeb": "falcon", "RefinedWebModel": "falcon", "stablelm_epoch": "stablelm"}
"""Pre-integration model types whose architectures transformers now implements natively."""


@dataclass(frozen=True)
class ConfigFacts:
    """The architecture facts a card states, read from a config with the class defaults applied."""

    model_type: str
    hidden_size: int
    num_layers: int
    num_attention_heads: int
    num_kv_heads: int
    intermediate_size: int
    vocab_size: int
    max_sequence_length: int | None
    positional_type: str
    rotary_fraction: float | None
    rope_theta: float | None
    activation: str | None
    parallel_residual: bool
    qk_normalization: bool
    tied_embeddings: bool


def _transformers() -> Any:
    return require("transformers")  # lazy: heavy; only the model checks need it


def build_config(
    data: dict[str, Any], display: str, source: ConfigFile | None = None
) -> tuple[Any | None, list[Finding]]:
    """A transformers config object for `data`, never executing code named by `auto_map`.

    The size limits (`config_limits`) are checked first, so no huge structure is ever built; an
    error from transformers' own validation becomes a finding naming the key it is about.
    """
    source = source or ConfigFile(display, data)
    if limit_findings := check_limits(source):
        return None, limit_findings
    transformers = _transformers()
    mapping = transformers.models.auto.configuration_auto.CONFIG_MAPPING
    model_type = data["model_type"]
    findings: list[Finding] = []
    if model_type not in mapping:
        hint = LEGACY_MODEL_TYPES.get(model_type)
        fix = (
            f"; transformers implements this architecture as model_type {hint!r}: convert the config"
            if hint
            else ""
        )
        return None, [
            source.finding(
                CONFIG_REMOTE_CODE,
                f"model_type {model_type!r} is not in transformers {version('transformers')}; "
                f"loading it would run the repository's own code, which cardkit never does{fix}",
                ("model_type",),
                actual=model_type,
                expected=hint,
                severity=Severity.ERROR,
            )
        ]
    if "auto_map" in data:
        findings.append(
            CONFIG_AUTO_MAP.finding(
                f"config declares auto_map (remote code); cardkit uses transformers' native {model_type!r} "
                "implementation and ignores it",
                display,
                field="auto_map",
            )
        )
    try:
        config_class = mapping[model_type]
        return config_class.from_dict(_special_floats_decoded(config_class, data)), findings
    except Exception as exc:  # any rejection of user data by transformers is a finding
        return None, [rejection(source, CONFIG_INVALID, "transformers rejects the config", exc)]


def _special_floats_decoded(config_class: Any, data: dict[str, Any]) -> dict[str, Any]:
    """`{"__float__": "Infinity"}` back to a float, as transformers 5 does when it reads a file it
    wrote (`from_pretrained` decodes; `from_dict` alone does not), with its own decoder."""
    decode = getattr(config_class, "_decode_special_floats", None)
    return decode(data) if callable(decode) else data


_FIELD_IN_MESSAGE = re.compile(r"field '([^']+)'")


def _value_paths(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every (path, value) in the config, depth-first (the config's depth is bounded by its reader)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _value_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _value_paths(value, (*path, index))
    else:
        yield path, data


def blamed_key(data: dict[str, Any], exc: BaseException) -> tuple[str | int, ...]:
    """The key an exception from transformers or torch is about, as well as it can be told.

    A strict-validation error names its field; a KeyError names the unknown value (an activation or
    rope type), which is found among the config's values; otherwise a top-level key quoted in the
    message. An empty path when none is recognisable.
    """
    message = str(exc)
    if named := _FIELD_IN_MESSAGE.search(message):
        return (named.group(1),)
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
        for path, value in _value_paths(data):
            if value == exc.args[0]:
                return path
    for key in data:
        if f"'{key}'" in message or f"`{key}`" in message:
            return (key,)
    return ()


def rejection(source: ConfigFile, code: Code, what: str, exc: BaseException) -> Finding:
    """A finding about config.json for an exception raised on its values, at the key it blames."""
    assert source.data is not None
    path = blamed_key(source.data, exc)
    detail = " ".join(str(exc).split())[:300] or type(exc).__name__
    return source.finding(code, f"{what}: {type(exc).__name__}: {detail}", path)


def _first(config: Any, *names: str) -> Any:
    for name in names:
        value = getattr(config, name, None)
        if value is not None:
            return value
    return None


def _kv_heads(config: Any) -> int:
    heads: int = config.num_attention_heads
    if getattr(config, "model_type", "") == "falcon" and not getattr(
        config, "new_decoder_architecture", False
    ):
        return 1 if getattr(config, "multi_query", False) else heads
    kv_heads: int | None = _first(config, "num_key_value_heads", "num_kv_heads")
    return kv_heads or heads


def facts_from_config(config: Any) -> ConfigFacts:
    """Normalise the family-specific spellings of a config into the card's vocabulary."""
    rope = getattr(config, "rope_parameters", None) or {}
    alibi = bool(getattr(config, "alibi", False))
    return ConfigFacts(
        model_type=config.model_type,
        hidden_size=config.hidden_size,
        num_layers=config.num_hidden_layers,
        num_attention_heads=config.num_attention_heads,
        num_kv_heads=_kv_heads(config),
        intermediate_size=_first(config, "intermediate_size", "ffn_hidden_size", "n_inner")
        or 4 * config.hidden_size,
        vocab_size=config.vocab_size,
        max_sequence_length=getattr(config, "max_position_embeddings", None),
        positional_type="alibi" if alibi else "rotary",
        rotary_fraction=None if alibi else float(rope.get("partial_rotary_factor", 1.0)),
        rope_theta=None if alibi else rope.get("rope_theta"),
        activation=_first(config, "hidden_act", "activation"),
        parallel_residual=bool(_first(config, "use_parallel_residual", "parallel_attn")),
        qk_normalization=bool(getattr(config, "qk_layernorm", False)),
        tied_embeddings=bool(getattr(config, "tie_word_embeddings", False)),
    )


def implements(model_type: str) -> bool:
    """Whether transformers implements `model_type` itself (its config class is in the library), so
    loading it needs no repository code; asked of the installed transformers, never a static list."""
    names = _transformers().models.auto.configuration_auto.CONFIG_MAPPING_NAMES
    return model_type in names
