"""What a config.json states literally, read without transformers: the one table of spellings that
`validate --no-model`, lint and import share.

A config key means what its config class makes of it. `hidden_size`, `num_hidden_layers`,
`num_attention_heads`, `vocab_size` and `max_position_embeddings` mean the same in every
transformers class (a family's `attribute_map` maps its own spellings *to* these names), so they
are read here as they stand. Everything else is a family's spelling (`n_head_kv`, `n_embd`,
`multi_query_group_num`, `padded_vocab_size`) or a switch that changes how its class reads one
(`multi_query`, `new_decoder_architecture`): only the class, or the repository's code, can say
what it means, so it is reported as uninterpreted and never turned into a figure. An alias table
that guessed gave false errors (a correct multi-query Falcon-7B card "says 1, config.json says 71").

The exact reading is transformers' own (`cardkit.model.architecture_facts`); this module is what
is left when transformers is not installed, not asked (`--no-model`), or the model_type is
repository code.
"""

from __future__ import annotations

from typing import Any

LITERAL_KEYS: dict[str, str] = {
    "model_type": "model_type",
    "hidden_size": "hidden_size",
    "num_hidden_layers": "num_layers",
    "num_attention_heads": "num_attention_heads",
    "vocab_size": "vocab_size",
    "max_position_embeddings": "max_position_embeddings",
}
"""config.json key -> architecture fact, for the keys whose meaning does not depend on the class."""

FAMILY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "hidden_size": ("n_embd", "d_model"),
    "num_layers": ("n_layer", "num_layers"),
    "num_attention_heads": ("n_head", "num_heads"),
    "num_kv_heads": ("num_key_value_heads", "num_kv_heads", "n_head_kv", "multi_query_group_num"),
    "intermediate_size": ("intermediate_size", "ffn_hidden_size", "n_inner"),
    "vocab_size": ("padded_vocab_size",),
    "max_position_embeddings": ("n_positions", "seq_length", "max_seq_len"),
    "head_dim": ("head_dim",),
    "tied_embeddings": ("tie_word_embeddings",),
    "sliding_window.tokens": ("sliding_window",),
}
"""Architecture fact -> keys some families (or eras) state it under, which only their class reads:
GPT-2's `n_embd`, Falcon's `num_kv_heads` (ignored without `new_decoder_architecture`), ChatGLM's
`multi_query_group_num` and `padded_vocab_size`, Qwen's `seq_length`, and `sliding_window`, which
Qwen2 ignores unless `use_sliding_window` and applies only from `max_window_layers` on, Gemma 2 to
every other layer, Mistral to all: only the class says which layers slide, or whether any do."""

CLASS_SWITCHES: dict[str, tuple[str, ...]] = {
    "num_kv_heads": ("multi_query", "multi_query_attention", "new_decoder_architecture"),
}
"""Architecture fact -> flags that change how a class reads it (Falcon's `multi_query: true` is one
key/value head whatever `num_kv_heads` says): where one is present, no key states the figure."""


def spellings(fact: str) -> tuple[str, ...]:
    """Every key that may state `fact`: its literal key first, then the family spellings."""
    literal = tuple(key for key, name in LITERAL_KEYS.items() if name == fact)
    return literal + FAMILY_SPELLINGS.get(fact, ())


def is_literal(value: Any) -> bool:
    """A value a figure can be: a string (model_type) or an integer, never a bool or a float."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def literal_facts(data: dict[str, Any]) -> dict[str, Any]:
    """fact -> value for each literal key the file states, in LITERAL_KEYS order.

    A literal key is left out when another spelling of the same fact disagrees with it (GPT-2's
    `n_embd` beside `hidden_size`, Qwen's `seq_length` beside `max_position_embeddings`: the class
    decides which wins), and `num_hidden_layers` when the file states further layer counts a class
    may add to it (`n_recurrent_layers`).
    """
    found: dict[str, Any] = {}
    for key, fact in LITERAL_KEYS.items():
        if key not in data or not is_literal(data[key]):
            continue
        stated = {repr(data[k]) for k in spellings(fact) if k in data}
        if len(stated) > 1 or (key == "num_hidden_layers" and _other_layer_counts(data)):
            continue
        found[fact] = data[key]
    return found


def uninterpreted(data: dict[str, Any], fact: str) -> dict[str, Any]:
    """The keys (family spellings and class switches) present in the file that bear on `fact` but
    that only its config class can read, with their values; {} when the file has none."""
    keys = FAMILY_SPELLINGS.get(fact, ()) + CLASS_SWITCHES.get(fact, ())
    keys += tuple(k for k, name in LITERAL_KEYS.items() if name == fact and fact not in literal_facts(data))
    return {key: data[key] for key in keys if key in data and data[key] is not None}


def first_spellings(data: dict[str, Any]) -> dict[str, Any]:
    """fact -> the value of the first of its spellings the file states (not None): what `--no-model`
    holds a card's fact to when no literal key settles it, for a note, never an error."""
    facts = {}
    for fact in dict.fromkeys([*LITERAL_KEYS.values(), *FAMILY_SPELLINGS]):
        present = [data[key] for key in spellings(fact) if key in data and data[key] is not None]
        if present:
            facts[fact] = present[0]
    return facts


def _other_layer_counts(data: dict[str, Any]) -> bool:
    """Whether the file states further layer counts (`n_recurrent_layers`) a class may combine."""
    return any(k != "num_hidden_layers" and k.endswith("_layers") and is_literal(v) for k, v in data.items())
