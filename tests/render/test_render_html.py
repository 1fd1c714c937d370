"""Every rendered README seen as a reader sees it: turned into HTML the way the Hub does.

The Hub renders GitHub-flavoured Markdown (tables, bare-URL autolinks, strikethrough); markdown-it-py's
`gfm-like` preset does the same. Checked on the committed READMEs and on each layout of every card:
tables parse with as many cells in every row as in the header, code blocks are the card's code,
headings go down one level at a time under a single title, every relative link names a file that
exists next to the README, and no entity (`&amp;`) or Markdown mark (`**`, `](`, a backtick) is left
showing as text.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from cardkit.card.load import load_card
from cardkit.render import DEFAULT_LAYOUTS, LAYOUTS, render_layouts
from cardkit.render.markdown import prose
from cardkit.schema import Card
from tests.helpers import CARD_PATHS

GFM = MarkdownIt("gfm-like")
READMES = sorted(p for path in CARD_PATHS for p in path.parent.glob("README*.md"))
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_MARKDOWN_AS_TEXT = ("**", "](", "`", "<br", "\\|", "](<")
_NESTED = re.compile(r"[(（][^()（）]*[(（]")
"""An opening parenthesis inside another: "(average pass@1 (HumanEval, MBPP))" is hard to read."""


def _front_matter_free(text: str) -> str:
    match = re.match(r"---\n.*?\n---\n", text, re.DOTALL)
    return text[match.end() :] if match else text


def _children(tokens: list[Token]) -> list[Token]:
    return [child for t in tokens if t.children for child in t.children]


def _problems(text: str, folder: Path | None) -> list[str]:
    """What a reader of the HTML page would see wrong; [] when the page is sound."""
    tokens = GFM.parse(_front_matter_free(text))
    problems: list[str] = []
    for i, token in enumerate(tokens):  # tables: every row as wide as the header
        if token.type == "table_open":
            widths, cells = [], 0
            for t in tokens[i:]:
                if t.type in ("th_open", "td_open"):
                    cells += 1
                elif t.type == "tr_close":
                    widths.append(cells)
                    cells = 0
                elif t.type == "table_close":
                    break
            if len(set(widths)) != 1:
                problems.append(f"ragged table at line {token.map[0] + 1 if token.map else '?'}: {widths}")
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    if not levels or levels[0] != 1 or levels.count(1) != 1:
        problems.append(f"not one title first: {levels}")
    problems += [f"heading skips a level: {a} -> {b}" for a, b in itertools.pairwise(levels) if b > a + 1]
    for t in tokens:
        if t.type == "fence" and not t.info:
            problems.append(f"code block without a language: {t.content[:40]!r}")
        if t.type == "fence" and "<!-- cardkit:sha256=" in t.content:
            problems.append(f"an unclosed code block ran to the end: {t.content[:40]!r}")
    for token in tokens:
        if token.type == "inline" and token.children:
            seen = "".join(c.content for c in token.children if c.type in ("text", "code_inline"))
            if nested := _NESTED.search(seen):
                problems.append(f"nested parentheses: {nested.group(0)!r}")
    for child in _children(tokens):
        if child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            relative = not re.match(r"[a-z][a-z0-9+.-]*:|#", href)
            if relative and folder is not None and not (folder / href.split("#")[0]).is_file():
                problems.append(f"link to a file that does not exist: {href}")
            if re.search(r"%E3%80|%EF%BC", href):  # 。，（ etc. swallowed into a bare-URL link
                problems.append(f"a link swallowed CJK punctuation: {href}")
        if child.type == "text":
            if _ENTITY.search(child.content):
                problems.append(f"entity shown as text: {child.content!r}")
            marks = [mark for mark in _MARKDOWN_AS_TEXT if mark in child.content]
            if marks:
                problems.append(f"Markdown {marks} shown as text: {child.content!r}")
    return problems


@pytest.mark.parametrize("path", READMES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_readme_reads_right_as_html(path: Path) -> None:
    assert _problems(path.read_text(encoding="utf-8"), path.parent) == []


def test_every_default_layout_is_committed() -> None:
    for card in CARD_PATHS:
        assert {p.name for p in card.parent.glob("README*.md")} == {
            LAYOUTS[name].filename for name in DEFAULT_LAYOUTS
        }


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_every_layout_reads_right_as_html(path: Path) -> None:
    loaded = load_card(path)
    assert loaded.card is not None
    texts = render_layouts(loaded.card, list(LAYOUTS), published=[])
    for layout, text in texts.items():
        assert _problems(text, None) == [], layout


def _card() -> Card:
    loaded = load_card(CARD_PATHS[0])
    assert loaded.card is not None
    return loaded.card


def test_an_ampersand_in_a_table_cell_shows_once_escaped() -> None:
    card = _card()
    dataset = card.training.datasets[0].model_copy(update={"name": "Yuan & Liu <2022>", "id": None})
    training = card.training.model_copy(update={"datasets": [dataset, *card.training.datasets[1:]]})
    text = render_layouts(card.model_copy(update={"training": training}), ["en"], published=[])["en"]
    cells = [c.content for c in _children(GFM.parse(_front_matter_free(text))) if c.type == "text"]
    assert "Yuan & Liu <2022>" in cells
    assert _problems(text, None) == []


def test_a_bare_url_ends_before_cjk_punctuation() -> None:
    tokens = GFM.parse(prose("会员资格见 https://stability.ai/membership。其余见 https://a.example/x，以及（https://b.example）"))
    hrefs = [str(c.attrs["href"]) for c in _children(tokens) if c.type == "link_open"]
    assert hrefs == ["https://stability.ai/membership", "https://a.example/x", "https://b.example"]


def test_the_checks_can_fail() -> None:
    """Each check reports the defect it exists for (a test that cannot fail proves nothing)."""
    bad = "\n".join(
        [
            "# T",
            "### skipped",
            "| a | b |",
            "| --- | --- |",
            "| Yuan &amp;amp; Liu | x |",
            "see https://x.example/a。next [gone](README_none.md) \\*\\*bold\\*\\* (a (b))",
            "```",
            "code",
            "```",
        ]
    )
    found = " ".join(_problems(bad, Path(".")))
    checks = ("skips a level", "entity shown", "swallowed CJK", "does not exist", "Markdown", "language")
    checks += ("nested",)
    for words in checks:
        assert words in found, (words, found)
