"""Render -> import round trip over the six shipped cards.

Each card's README.md (English, with the Hub front matter) is rendered and imported back with no
config.json, so everything the draft holds came from the README. Every leaf of card.yaml must come
back equal, except the fields listed below with the reason. A field the README does not carry is
not compared (the draft makes its own result keys); any other leaf the draft fills must equal the
card's, listed as not read yet or not, so a misread is never hidden by a list. The Chinese layout is
checked the same way for the Chinese text (README.md shows English only).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from cardkit.card.load import load_card
from cardkit.importing.readme import import_card, is_todo
from cardkit.render.engine import render_card

CARDS_DIR = Path(__file__).resolve().parents[2] / "cards"
SLUGS = sorted(p.parent.name for p in CARDS_DIR.glob("*/card.yaml"))

NOT_CARRIED = {
    r"\.zh$": "README.md shows the English text; the Chinese is README_zh.md's (checked below)",
    r"^architecture\.parameters\.source$": "the page the count was taken from is not shown",
    r"^training\.hardware\.gpu$": "a catalogue id: the README shows the accelerator's name and its power",
    r"^evaluation\.results\[\d+\]\.id$": "the card's key for a result: the table shows the benchmark",
    r"^evaluation\.summaries\[\d+\]\.of\[\d+\]$": "names results by those keys, not shown",
}
"""Fields a rendered README cannot carry back."""
NOT_READ = {
    r"^architecture\.parameters\.(?:note|acknowledged_difference\.reason)\.": "prose under a table, "
    "not under a heading of its own: import cannot tell where it starts and ends",
    r"^evaluation\.note\.": "the same: prose between the evaluation heading and its table",
    r"^identity\.sources\.results$": "named only inside that note's sentence",
    r"^evaluation\.summaries\[\d+\]\.(?:name|value|decimals)$": "the Aggregate row lists result keys "
    "the results table does not show, so its summary cannot point at the imported results",
    r"^evaluation\.results\[\d+\]\.metric\.higher_is_better$": "shown as `(lower is better)` in a score "
    "cell; not read yet",
    r"^training\.compute\.table\.(?:caption\.|decimals$)": "the caption is prose above the table and the "
    "decimals a writing choice; not read yet",
    r"^usage\.prompt_format\.": "the prompt template and system prompt sit in code blocks not read yet",
}
"""Fields the README shows that import does not read back yet, with why (each stays TODO or absent)."""


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict) and not is_todo(value):
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    else:
        yield path, None if is_todo(value) else value


def _same(card: Any, draft: Any) -> bool:
    """Equal as the card means it: `2023-08-23` the date and the text, 30 and 30.0, 0.9 and 0.90."""
    if isinstance(card, bool) or isinstance(draft, bool):
        return card is draft
    if isinstance(card, int | float) and isinstance(draft, int | float):
        return float(card) == float(draft)
    return str(card) == str(draft)


def _listed(path: str, table: dict[str, str]) -> bool:
    return any(re.search(pattern, path) for pattern in table)


def _round_trip(slug: str, layout: str) -> tuple[dict[str, Any], dict[str, Any]]:
    card = yaml.safe_load((CARDS_DIR / slug / "card.yaml").read_text(encoding="utf-8"))
    loaded = load_card(CARDS_DIR / slug / "card.yaml")
    draft = import_card(render_card(loaded.card, layout))
    return dict(leaves(card)), dict(leaves(draft))


@pytest.mark.parametrize("slug", SLUGS)
def test_rendered_readme_imports_back_to_the_card(slug: str) -> None:
    card, draft = _round_trip(slug, "en")
    lost, wrong = [], []
    for path, value in card.items():
        got = draft.get(path)
        if _listed(path, NOT_CARRIED):
            continue
        if got is not None and not _same(value, got):
            wrong.append(f"{path}: card {value!r}, import {got!r}")
        elif got is None and not _listed(path, NOT_READ):
            lost.append(path)
    assert not wrong, "import misread:\n" + "\n".join(wrong)
    assert not lost, "import lost:\n" + "\n".join(lost)


@pytest.mark.parametrize("slug", SLUGS)
def test_rendered_chinese_readme_imports_back_the_chinese_text(slug: str) -> None:
    card, draft = _round_trip(slug, "zh")
    chinese = {path: value for path, value in card.items() if path.endswith(".zh")}
    assert chinese, "every card has Chinese text"
    wrong = [p for p, v in chinese.items() if draft.get(p) is not None and not _same(v, draft[p])]
    lost = [p for p in chinese if draft.get(p) is None and not _listed(p, NOT_READ)]
    assert not wrong and not lost, f"misread {wrong}, lost {lost}"


def test_the_lists_name_fields_the_cards_have() -> None:
    """A pattern that matches no card's field is stale: the lists must not grow past what is true."""
    paths = [path for slug in SLUGS for path in _round_trip(slug, "en")[0]]
    for pattern in (*NOT_CARRIED, *NOT_READ):
        assert any(re.search(pattern, path) for path in paths), pattern


def test_the_round_trip_fails_when_import_loses_or_misreads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: drop the labelled-fact reader, or make it misread, and it reports the field."""
    import cardkit.importing.readme as readme

    monkeypatch.setattr(readme, "fill_labelled", lambda doc, draft: None)
    card, draft = _round_trip("stablelm-2-12b", "en")
    assert card["identity.family"] == "Stable LM 2" and draft.get("identity.family") is None
    monkeypatch.undo()
    real = readme.fill_labelled

    def misread(doc: Any, draft: dict[str, Any]) -> None:
        real(doc, draft)
        draft["architecture"]["hidden_size"] += 1

    monkeypatch.setattr(readme, "fill_labelled", misread)
    with pytest.raises(AssertionError, match="hidden_size"):
        test_rendered_readme_imports_back_to_the_card("stablelm-2-12b")
