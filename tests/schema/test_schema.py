"""The Pydantic models are the one definition of a card; the JSON Schema is derived and kept fresh."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from cardkit.card.load import load_card
from cardkit.schema import Card
from cardkit.schema.export import card_schema, schema_text
from tests.helpers import CARD_PATHS, ROOT


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_every_shipped_card_is_schema_valid(path: Path) -> None:
    loaded = load_card(path)
    assert loaded.findings == []
    assert loaded.card is not None


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_every_card_points_editors_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schemas/card.schema.json"
    assert (path.parent / "../../schemas/card.schema.json").resolve().is_file()


def test_committed_json_schema_is_current() -> None:
    committed = (ROOT / "schemas" / "card.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "schema is stale: run `cardkit schema --write`"


def _properties(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for model_name, model in {"Card": schema, **schema.get("$defs", {})}.items():
        for name, prop in model.get("properties", {}).items():
            found.append((model_name, name, prop))
    return found


def test_every_scalar_field_has_a_description() -> None:
    undocumented = [
        f"{model}.{name}"
        for model, name, prop in _properties(card_schema())
        if "description" not in prop and "$ref" not in prop
    ]
    assert undocumented == []


def test_unknown_keys_are_errors() -> None:
    data = json.loads(json.dumps({"schema_version": 1, "identiy": {}}))
    with pytest.raises(ValidationError) as info:
        Card.model_validate(data)
    assert any(e["type"] == "extra_forbidden" and e["loc"] == ("identiy",) for e in info.value.errors())


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_dump_and_reload_is_lossless(path: Path) -> None:
    card = load_card(path).card
    assert Card.model_validate(card.model_dump(mode="json")) == card


def test_a_v1_card_migrates_to_the_current_version() -> None:
    """v1's `max_sequence_length` is the position limit; its false defaults were statements."""
    from cardkit.schema.migrate import migrate

    v1 = {"schema_version": 1, "architecture": {"max_sequence_length": 4096, "parallel_residual": True}}
    migrated = migrate(v1)
    assert migrated == {
        "schema_version": 3,
        "architecture": {
            "max_position_embeddings": 4096,
            "parallel_residual": True,
            "qk_normalization": False,
        },
    }
    assert v1["schema_version"] == 1  # the input is not changed


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_a_shipped_card_written_as_v1_loads_equal(path: Path, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    v1 = text.replace("schema_version: 3", "schema_version: 1").replace(
        "  max_position_embeddings:", "  max_sequence_length:"
    )
    (tmp_path / "card.yaml").write_text(v1, encoding="utf-8")
    assert load_card(tmp_path / "card.yaml").card == load_card(path).card


def test_not_published_is_an_explicit_training_value() -> None:
    from cardkit.schema.training import Training

    base = {"stage": "pretraining", "summary": {"en": "a", "zh": "b"}}
    training = Training.model_validate({**base, "datasets": "not published", "precision": "not published"})
    assert training.published_datasets == []
    with pytest.raises(ValidationError):
        Training.model_validate({**base, "datasets": [], "precision": "bfloat16"})
    with pytest.raises(ValidationError):
        Training.model_validate({**base, "precision": "bfloat16"})  # still required: say it or say not
