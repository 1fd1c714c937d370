"""Read a model's config.json through transformers' own config classes.

Going through the classes (never `AutoConfig` with remote code) resolves aliases such as
`n_head`/`num_attention_heads` and fills defaults the file leaves out, e.g. Falcon's tied
embeddings, exactly as transformers will when it loads the weights.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardkit.errors import MissingDependencyError
from cardkit.findings import Finding, Severity

MAX_CONFIG_BYTES = 1024 * 1024
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
    try:
        import transformers  # noqa: PLC0415 - heavy; only the model checks need it
    except ImportError as exc:
        raise MissingDependencyError("transformers") from exc
    return transformers


def read_config_json(path: Path, display: str) -> tuple[dict[str, Any] | None, list[Finding]]:
    """The raw config mapping, or findings naming the file and line that is wrong."""
    if not path.is_file():
        return None, [
            Finding("config-missing", Severity.ERROR, "config.json not found next to the card", display)
        ]
    if path.stat().st_size > MAX_CONFIG_BYTES:
        return None, [Finding("config-too-large", Severity.ERROR, "config.json is over 1 MiB", display, 1, 1)]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, [Finding("config-not-utf8", Severity.ERROR, "config.json is not UTF-8", display, 1, 1)]
    except json.JSONDecodeError as exc:
        return None, [
            Finding(
                "config-invalid-json",
                Severity.ERROR,
                f"not valid JSON: {exc.msg}",
                display,
                exc.lineno,
                exc.colno,
            )
        ]
    if not isinstance(data, dict) or not isinstance(data.get("model_type"), str):
        return None, [
            Finding(
                "config-no-model-type",
                Severity.ERROR,
                "config.json must be an object with a string `model_type`",
                display,
                1,
                1,
            )
        ]
    return data, []


def build_config(data: dict[str, Any], display: str) -> tuple[Any | None, list[Finding]]:
    """A transformers config object for `data`, never executing code named by `auto_map`."""
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
            Finding(
                "config-remote-code",
                Severity.ERROR,
                f"model_type {model_type!r} is not in transformers {transformers.__version__}; "
                f"loading it would run the repository's own code, which cardkit never does{fix}",
                display,
                1,
                1,
                field="model_type",
                actual=model_type,
                expected=hint,
            )
        ]
    if "auto_map" in data:
        findings.append(
            Finding(
                "config-auto-map",
                Severity.INFO,
                f"config declares auto_map (remote code); cardkit uses transformers' native {model_type!r} "
                "implementation and ignores it",
                display,
                field="auto_map",
            )
        )
    try:
        return mapping[model_type].from_dict(data), findings
    except (TypeError, ValueError) as exc:
        return None, [
            Finding(
                "config-invalid", Severity.ERROR, f"transformers rejects the config: {exc}", display, 1, 1
            )
        ]


def _first(config: Any, *names: str) -> Any:
    for name in names:
        value = getattr(config, name, None)
        if value is not None:
            return value
    return None


def _kv_heads(config: Any) -> int:
    heads = config.num_attention_heads
    if getattr(config, "model_type", "") == "falcon" and not getattr(
        config, "new_decoder_architecture", False
    ):
        return 1 if getattr(config, "multi_query", False) else heads
    return _first(config, "num_key_value_heads", "num_kv_heads") or heads


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


RAW_KEYS: dict[str, tuple[str, ...]] = {
    "model_type": ("model_type",),
    "hidden_size": ("hidden_size", "n_embd", "d_model"),
    "num_layers": ("num_hidden_layers", "n_layer", "num_layers"),
    "num_attention_heads": ("num_attention_heads", "n_head", "num_heads"),
    "num_kv_heads": ("num_key_value_heads", "num_kv_heads", "n_head_kv"),
    "intermediate_size": ("intermediate_size", "ffn_hidden_size", "n_inner"),
    "vocab_size": ("vocab_size",),
    "max_sequence_length": ("max_position_embeddings", "n_positions"),
    "tied_embeddings": ("tie_word_embeddings",),
}
"""Spellings of each fact in config.json files across families and eras (card field -> config keys)."""


def raw_config_facts(data: dict[str, Any]) -> dict[str, Any]:
    """Facts the file states explicitly, for the fast path that must not import transformers.

    Only keys present in the file are compared: a default (Falcon ties its embeddings unless told
    otherwise) is known only to transformers' classes, which the full check uses.
    """
    facts = {}
    for field_name, keys in RAW_KEYS.items():
        present = [data[key] for key in keys if key in data and data[key] is not None]
        if present:
            facts[field_name] = present[0]
    return facts
