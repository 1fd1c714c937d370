"""The Chinese terminology glossary: well formed, applied by rendering, and obeyed by every README.

A zh-Hant README must contain no form the glossary marks wrong (OpenCC's other senses such as
麵向 and 啟用函式, or mainland terms such as 推理 for inference), its quotation marks are 「」, and a
zh README contains none of the glossary's zh-Hans wrong forms or untranslated English fragments.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from cardkit.card.load import load_card
from cardkit.render import render_card
from cardkit.render.glossary import glossary, to_taiwan, wrong_forms
from cardkit.render.i18n import converter
from cardkit.schema import Card, LocalizedText
from tests.helpers import CARD_PATHS, FIXTURES

GFM = MarkdownIt("gfm-like")
HANT = sorted(p for path in CARD_PATHS for p in path.parent.glob("README_zh-Hant.md"))
HANS = sorted(p for path in CARD_PATHS for p in path.parent.glob("README_zh.md"))
GOLDEN = FIXTURES / "golden" / "stablelm-3b-4e1t"
_ENGLISH_WORD = re.compile(r"\b[a-z]{3,}\b")
_ENGLISH_OK = {"token", "tokens", "shot", "transformers", "pass", "top"}
"""Lower-case English words the Chinese pages use as they are (a loanword, a library's name, the
metric names pass@k and top-1)."""


def _card(slug: str = "stablelm-3b-4e1t") -> Card:
    loaded = load_card(next(p for p in CARD_PATHS if p.parent.name == slug))
    assert loaded.card is not None
    return loaded.card


def _text_outside_code(text: str) -> list[str]:
    """What a reader sees as running text: markdown-it text tokens, not code and not link text
    (a repository id, a paper's title and an address are names)."""
    texts: list[str] = []
    for token in GFM.parse(text):
        depth = 0
        for child in token.children or []:
            depth += {"link_open": 1, "link_close": -1}.get(child.type, 0)
            if child.type == "text" and depth == 0:
                texts.append(child.content)
    return texts


def test_glossary_is_well_formed() -> None:
    g = glossary()
    assert len(g.terms) >= 15 and g.names and g.quotes
    for term in g.terms:
        assert term.hant not in term.wrong and term.hans not in term.hans_wrong, term.term
        assert all(any(form in kept for form in term.wrong) for kept in term.keep), term.term


@pytest.mark.parametrize("term", glossary().terms, ids=lambda t: t.term)
def test_each_term_renders_one_way(term: object) -> None:
    """The zh-Hans form converts to exactly the zh-Hant form: s2twp and the glossary agree."""
    assert converter("s2twp")(term.hans) == term.hant  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", [*HANT, GOLDEN / "zh-Hant.md"], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_zh_hant_readme_has_a_wrong_term_or_western_quotes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert wrong_forms(text, "zh-Hant") == []


@pytest.mark.parametrize("path", [*HANS, GOLDEN / "zh.md"], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_zh_readme_has_a_wrong_term(path: Path) -> None:
    assert wrong_forms(path.read_text(encoding="utf-8"), "zh") == []


@pytest.mark.parametrize("path", HANS + HANT, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_untranslated_english_in_chinese_readmes(path: Path) -> None:
    """Lower-case English words outside code and names ("(without Books3)", "Triton kernels",
    "StarCoder data") are fragments someone forgot to translate; "Avg." likewise."""
    leaked = [
        text
        for text in _text_outside_code(path.read_text(encoding="utf-8"))
        if "Avg." in text or {w for w in _ENGLISH_WORD.findall(text) if w not in _ENGLISH_OK} - _proper(text)
    ]
    assert leaked == []


def _proper(text: str) -> set[str]:
    """Lower-case words inside proper names the pages keep in English (a model or dataset name
    with a lower-case word, a licence's title)."""
    names = ("gpt-neox", "peS2o", "lm-evaluation-harness", "config.json", "tiktoken", "text-davinci-003")
    return {w for name in names if name in text for w in _ENGLISH_WORD.findall(name)}


def test_rendering_applies_the_glossary_after_opencc() -> None:
    """Every term's zh-Hans form in card prose comes out as its zh-Hant form (s2twp alone writes
    麵向, 型別, 啟用函式, 擴充套件, 全域性, 例項化, 萬億, 推理, 許可證, 倉庫, 歸一化, 文本, 示例, 評測)."""
    card = _card()
    terms = [t for t in glossary().terms if not t.hans_wrong]
    sentence = "，".join(t.hans for t in terms) + "，“引号”。"
    prose = card.prose.model_copy(update={"summary": LocalizedText(en="x", zh=sentence)})
    hant = render_card(card.model_copy(update={"prose": prose}), "zh-Hant")
    line = next(line for line in hant.split("\n") if terms[0].hant in line and "，" in line)
    assert line == "，".join(t.hant for t in terms) + "，「引號」。"
    assert wrong_forms(hant, "zh-Hant") == []


def test_kept_phrases_are_not_rewritten() -> None:
    assert to_taiwan("常識推理與快速推理") == "常識推理與快速推論"


def test_english_names_show_in_chinese_from_the_glossary() -> None:
    card = _card("llama-2-13b")
    zh, hant, en = (render_card(card, layout) for layout in ("zh", "zh-Hant", "en"))
    assert "| 常识推理 |" in zh and "| 常識推理 |" in hant and "| Commonsense Reasoning |" in en
    assert "Meta 自研训练库" in zh and "Meta custom training libraries" in en
