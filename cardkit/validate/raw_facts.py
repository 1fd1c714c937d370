"""The `--no-model` comparison: what config.json states literally, without transformers.

Family-specific spellings (`n_head_kv`, `multi_query`, `num_kv_heads` that Falcon ignores unless
`new_decoder_architecture`) mean something only to their config class, so an alias table gives
false errors (a correct multi-query Falcon-7B card "says 1, config.json says 71"). Only keys that
every transformers config class reads literally are compared here -- a family's `attribute_map`
maps its own spellings *to* these names -- and the card's other facts are left, with a note, to
the full check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cardkit.card.load import CheckedCard
from cardkit.core.findings import Finding
from cardkit.validate.codes import CONFIG_MISMATCH, CONFIG_NOT_INTERPRETED
from cardkit.validate.fact_check import ARCH, stated_facts

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


LITERAL_KEYS: dict[str, str] = {
    "model_type": "model_type",
    "hidden_size": "hidden_size",
    "num_hidden_layers": "num_layers",
    "num_attention_heads": "num_attention_heads",
    "vocab_size": "vocab_size",
    "max_position_embeddings": "max_position_embeddings",
}
"""config.json key -> card fact, for the keys whose meaning does not depend on the config class."""


RENAMED = {"max_sequence_length": "max_position_embeddings"}
RENAMED_BACK = {new: old for old, new in RENAMED.items()}
"""v1 card names used by `raw_config_facts`, mapped to today's."""


def _other_layer_counts(data: dict[str, Any]) -> bool:
    """Whether the file states further layer counts (`n_recurrent_layers`) a class may combine."""
    return any(k != "num_hidden_layers" and k.endswith("_layers") and _literal(v) for k, v in data.items())


def _literal(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def compare_raw(loaded: CheckedCard, data: dict[str, Any], why: str) -> Iterator[Finding]:
    """Errors for literal keys the card contradicts; a note where a family-specific key seems to
    disagree (Falcon-7B's `num_kv_heads: 71` beside `multi_query: true`) but only transformers can say."""
    stated = stated_facts(loaded.card.architecture)
    checked = set()
    for key, fact in LITERAL_KEYS.items():
        if key not in data or fact not in stated or not _literal(data[key]):
            continue
        spellings = {repr(data[k]) for k in RAW_KEYS.get(RENAMED_BACK.get(fact, fact), ()) if k in data}
        if len(spellings) > 1 or (key == "num_hidden_layers" and _other_layer_counts(data)):
            continue  # spellings that disagree, or layer counts the class combines (Dory): it decides
        checked.add(fact)
        if stated[fact] != data[key]:
            yield loaded.finding(
                CONFIG_MISMATCH,
                f"{fact}: card says {stated[fact]!r}, config.json says {data[key]!r}",
                (ARCH, *fact.split(".")),
                expected=data[key],
                actual=stated[fact],
            )
    for fact, value in sorted(raw_config_facts(data).items()):
        fact = RENAMED.get(fact, fact)
        if fact in checked or fact not in stated or stated[fact] == value:
            continue
        yield loaded.finding(
            CONFIG_NOT_INTERPRETED,
            f"{fact}: config.json has a key that reads {value!r} where the card says {stated[fact]!r}; "
            f"{why} cannot tell what the key means for model_type {data.get('model_type')!r} (its config "
            "class decides), so the full check gives the verdict",
            (ARCH, *fact.split(".")),
            expected=value,
            actual=stated[fact],
        )
