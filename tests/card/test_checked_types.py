"""What `mypy --strict` found: the loader's two results, and the None and Any dereferences it exposed.

mypy itself runs in CI (`.ci/run`); these tests pin the behaviour behind the fixes it forced, each
on input that crashed the code as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cardkit.card.load import CheckedCard, FailedLoad, load_card
from cardkit.importing.new_card import tokenizer_draft
from tests.helpers import CARD_PATHS


def test_a_valid_card_loads_as_checked_card() -> None:
    loaded = load_card(CARD_PATHS[0])
    assert isinstance(loaded, CheckedCard)
    assert loaded.card.identity.repo_id
    assert loaded.source_map.locate(("identity", "repo_id")) is not None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("identity: [unclosed\n", "yaml-syntax"),
        ("- a list\n", "schema-not-a-mapping"),
        ("identity: {}\n", "schema-missing"),
    ],
)
def test_a_card_that_does_not_validate_is_a_failed_load(tmp_path: Path, text: str, code: str) -> None:
    """No model on the failure path: only the findings, still located in the file."""
    path = tmp_path / "card.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_card(path)
    assert isinstance(loaded, FailedLoad)
    assert not hasattr(loaded, "card")
    assert code in {f.code for f in loaded.findings}
    assert all(f.file == loaded.display for f in loaded.findings)


@pytest.mark.parametrize(
    "tokenizer",
    [
        {"model": {"type": "BPE", "vocab": {"a": 0, "b": [1]}}},  # a vocab id that is a list
        {"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}}, "added_tokens": 5},
        {"model": {"type": "BPE", "vocab": ["a", "b"]}, "added_tokens": [{"content": "<s>", "id": [2]}]},
        {"model": {"type": "BPE", "vocab": ["a", "b"]}, "added_tokens": {"content": "<s>"}},
    ],
)
def test_tokenizer_draft_survives_odd_shapes(tmp_path: Path, tokenizer: dict[str, object]) -> None:
    """A tokenizer.json whose values are not the types the format has: the draft counts the
    vocabulary it can read instead of failing with TypeError (an internal error from `cardkit new`)."""
    (tmp_path / "tokenizer.json").write_text(json.dumps(tokenizer), encoding="utf-8")
    assert tokenizer_draft(tmp_path)["vocab_size"] == 2


def test_tokenizer_draft_counts_added_tokens_outside_the_vocabulary(tmp_path: Path) -> None:
    tokenizer = {
        "model": {"type": "Unigram", "vocab": {"a": 0, "b": 1}},
        "added_tokens": [{"content": "a", "id": 0}, {"content": "<x>", "id": 2}, {"id": 3}],
    }
    (tmp_path / "tokenizer.json").write_text(json.dumps(tokenizer), encoding="utf-8")
    draft = tokenizer_draft(tmp_path)
    assert (draft["vocab_size"], draft["type"]) == (3, "sentencepiece-unigram")


def test_positions_undetermined_when_the_model_class_has_no_source() -> None:
    """A model class whose module cannot be found (made at run time, or shipped without .py files):
    `inspect.getsource(None)` raised TypeError, which validate reported as "the model cannot be
    built"; now the positional type is undetermined, like any model whose positions are not found."""
    torch = pytest.importorskip("torch")
    from cardkit.core.facts import ArchitectureFacts
    from cardkit.model import architecture_attention

    class Embeddings(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed_tokens = torch.nn.Embedding(4, 2)

        def get_input_embeddings(self) -> torch.nn.Module:
            return self.embed_tokens

    Embeddings.__module__ = "cardkit_tests_module_that_is_not_imported"
    facts = ArchitectureFacts()
    model = Embeddings()
    architecture_attention._positional(facts, object(), model, list(model.named_modules()), None)
    assert "positional_embedding.type" not in facts.values
    assert "positional_embedding.type" in facts.undetermined
