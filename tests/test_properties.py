"""Property tests: round trips are lossless and no input makes validate raise."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardkit.card.dump import dump_card
from cardkit.card.load import load_card
from cardkit.card.yaml_source import load_yaml
from cardkit.schema import Card
from cardkit.validate import ValidateOptions, validate_card
from tests.helpers import CARD_PATHS

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BASE_CARDS = [load_card(path).card for path in CARD_PATHS]
text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=80
)


@st.composite
def valid_cards(draw: st.DrawFn) -> Card:
    """A shipped card with its prose, figures and optional sections varied within the schema."""
    card = draw(st.sampled_from(BASE_CARDS))
    data = card.model_dump(mode="json")
    for section in ("summary", "intended_use", "limitations", "bias"):
        data["prose"][section] = {"en": draw(text), "zh": draw(text)}
    data["architecture"]["parameters"]["count"] = draw(st.integers(1, 10**14))
    data["usage"]["example_prompt"] = draw(text)
    data["usage"]["generation"]["temperature"] = draw(st.none() | st.floats(0.01, 5))
    if data.get("evaluation"):
        for result in data["evaluation"]["results"]:
            result["metric"]["value"] = draw(st.floats(-1e6, 1e6, allow_nan=False))
    if draw(st.booleans()):
        data["citation"] = None
    return Card.model_validate(data)


@SETTINGS
@given(valid_cards())
def test_valid_card_survives_dump_and_load(card: Card) -> None:
    loaded = load_yaml(dump_card(card), "card.yaml")
    assert loaded.findings == []
    assert Card.model_validate(loaded.data) == card


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=30,
)
card_like = st.fixed_dictionaries(
    {}, optional={k: yaml_values for k in ("schema_version", "identity", "architecture", "usage", "config")}
)


def _validate_text(content: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "card.yaml"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
        report = validate_card(path, ValidateOptions(model=False))
        assert all(f.line is None or f.line >= 1 for f in report.findings)


@SETTINGS
@given(yaml_values | card_like)
def test_validate_reports_on_any_yaml_data(value: Any) -> None:
    _validate_text(yaml.safe_dump(value, allow_unicode=True))


@SETTINGS
@given(st.binary(max_size=300) | text)
def test_validate_reports_on_any_bytes(content: str | bytes) -> None:
    _validate_text(content)


@SETTINGS
@given(valid_cards(), st.sampled_from(["en", "zh", "zh-Hant", "en+zh"]))
def test_render_never_raises_on_a_valid_card(card: Card, layout: str) -> None:
    from huggingface_hub import ModelCard

    from cardkit.render import recorded_hash_matches, render_card

    readme = render_card(card, layout)
    assert recorded_hash_matches(readme) is True
    if layout in ("zh", "zh-Hant"):  # README_zh*.md carry no front matter; README.md has it
        readme = render_card(card, "en")
    metadata = ModelCard(readme).data
    assert metadata.license == card.license.id
    assert len(metadata.eval_results or []) == len(card.evaluation.results if card.evaluation else [])
