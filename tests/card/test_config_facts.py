"""The one table of what a config.json states literally (lint, import and `validate --no-model`)."""

from __future__ import annotations

from cardkit.card.config_facts import first_spellings, literal_facts, uninterpreted


def test_literal_keys_are_read_as_they_stand() -> None:
    data = {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "vocab_size": 100, "x": 1}
    expected = {"model_type": "llama", "hidden_size": 64, "num_layers": 2, "vocab_size": 100}
    assert literal_facts(data) == expected


def test_a_literal_key_another_spelling_contradicts_is_left_to_the_class() -> None:
    data = {"hidden_size": 128, "n_embd": 64, "max_position_embeddings": 4096, "seq_length": 4096}
    assert literal_facts(data) == {"max_position_embeddings": 4096}  # the two agree: read
    assert uninterpreted(data, "hidden_size") == {"n_embd": 64, "hidden_size": 128}
    assert literal_facts({"num_hidden_layers": 30, "n_recurrent_layers": 2}) == {}


def test_bools_floats_and_nulls_are_no_figure() -> None:
    assert literal_facts({"hidden_size": True, "num_attention_heads": 4.0, "vocab_size": None}) == {}
    assert uninterpreted({"num_kv_heads": None}, "num_kv_heads") == {}


def test_family_spellings_and_switches_are_named_not_read() -> None:
    falcon = {"num_attention_heads": 71, "num_kv_heads": 71, "multi_query": True}
    assert uninterpreted(falcon, "num_kv_heads") == {"num_kv_heads": 71, "multi_query": True}
    assert "num_kv_heads" not in literal_facts(falcon)
    assert uninterpreted(falcon, "num_attention_heads") == {}  # stated literally


def test_first_spellings_for_the_fast_paths_notes() -> None:
    assert first_spellings({"n_embd": 64, "n_head_kv": 2, "tie_word_embeddings": False}) == {
        "hidden_size": 64,
        "num_kv_heads": 2,
        "tied_embeddings": False,
    }
