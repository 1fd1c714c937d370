"""render: goldens, Markdown structure, Hub front matter, escaping, catalogs, --check/--force, atomicity.

Expected values come from card.yaml read with plain YAML (not from the renderer), from reviewed
golden files, or from an independent parse of the output (markdown-it-py, huggingface_hub).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from huggingface_hub import ModelCard
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cardkit.card.load import load_card
from cardkit.cli import main
from cardkit.commands.render import LAYOUT_CHOICES
from cardkit.render import (
    DEFAULT_LAYOUTS,
    LAYOUTS,
    recorded_hash_matches,
    render_card,
    render_layouts,
    render_paths,
)
from cardkit.render.catalogs import POT_PATH, template_messages
from cardkit.render.engine import md_table
from cardkit.render.i18n import LOCALES, catalog_path, translations
from cardkit.render.markdown import cell, code, fence, inline, prose
from cardkit.schema import Card, LocalizedText
from tests.helpers import CARD_PATHS, CARDS_DIR, FIXTURES, ROOT, SLUGS, replace_once

GOLDEN_DIR = FIXTURES / "golden"
GOLDEN_SLUG = "stablelm-3b-4e1t"
UPDATE_GOLDEN = os.environ.get("CARDKIT_UPDATE_GOLDEN") == "1"
CJK = re.compile(r"[\u4e00-\u9fff]")
UNESCAPED_PIPE = re.compile(r"(?<!\\)(?:\\\\)*\|")
"""A cell delimiter as GitHub reads one: a pipe after an even number of backslashes."""
MD = MarkdownIt("commonmark").enable("table")


def card_of(path: Path) -> Card:
    loaded = load_card(path)
    assert loaded.card is not None, loaded.findings
    return loaded.card


def raw_card(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def body_of(text: str) -> str:
    """The Markdown after the front matter (markdown-it would read front matter as a heading)."""
    if not text.startswith("---\n"):
        return text  # README_zh*.md: the Hub reads front matter from README.md only
    match = re.match(r"---\n.*?\n---\n", text, re.DOTALL)
    assert match, text[:200]
    return text[match.end() :]


def with_prose(card: Card, **fields: LocalizedText) -> Card:
    return card.model_copy(update={"prose": card.prose.model_copy(update=fields)})


def with_dataset(card: Card, **fields: Any) -> Card:
    datasets = [card.training.datasets[0].model_copy(update=fields), *card.training.datasets[1:]]
    return card.model_copy(update={"training": card.training.model_copy(update={"datasets": datasets})})


@pytest.fixture(scope="module")
def cards() -> dict[str, Card]:
    return {path.parent.name: card_of(path) for path in CARD_PATHS}


@pytest.fixture
def rendered_copy(card_copy: Callable[[str], Path]) -> Callable[[str], Path]:
    """A copied card whose READMEs were rendered by cardkit; returns the copy's card.yaml."""

    def make(slug: str) -> Path:
        path = card_copy(slug)
        assert main(["render", str(path.parent)]) == 0
        return path

    return make


# --- goldens ---------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_golden(layout: str, cards: dict[str, Card]) -> None:
    golden = GOLDEN_DIR / GOLDEN_SLUG / f"{layout}.md"
    text = render_card(cards[GOLDEN_SLUG], layout)
    if UPDATE_GOLDEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8", newline="")
    assert golden.read_text(encoding="utf-8") == text, "run with CARDKIT_UPDATE_GOLDEN=1 and review the diff"


# --- Markdown structure, every card in every layout -------------------------------------------


def _table_rows(body: str) -> list[list[str]]:
    """Each table as its source lines, from the line ranges markdown-it reports for it."""
    lines = body.split("\n")
    tokens = MD.parse(body)
    return [lines[t.map[0] : t.map[1]] for t in tokens if t.type == "table_open" and t.map]


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("slug", SLUGS)
def test_markdown_parses_and_tables_are_rectangular(slug: str, layout: str, cards: dict[str, Card]) -> None:
    body = body_of(render_card(cards[slug], layout))
    tokens = MD.parse(body)
    tables = _table_rows(body)
    separators = [line for line in body.split("\n") if line.startswith("| --- |")]
    assert len(tables) == len(separators) > 0, "a table did not parse as a table"
    # markdown-it pads or truncates ragged rows, so the width check is on the source lines.
    for table in tables:
        widths = {len(UNESCAPED_PIPE.findall(line)) for line in table}
        assert len(widths) == 1, table
    h2 = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    assert len(h2) == len([line for line in body.split("\n") if line.startswith("## ")])
    h1 = [t for t in tokens if t.type == "heading_open" and t.tag == "h1"]
    assert len(h1) == 1, "card text must not add top-level headings"


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_every_snippet_is_a_verbatim_code_block(path: Path, layout: str) -> None:
    raw = raw_card(path)
    tokens = MD.parse(body_of(render_card(card_of(path), layout)))
    blocks = [t.content for t in tokens if t.type == "fence"]
    for snippet in raw["usage"]["snippets"]:
        assert snippet["code"].rstrip("\n") + "\n" in blocks
    if raw.get("citation"):
        assert raw["citation"].rstrip("\n") + "\n" in blocks


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_sections_without_data_are_skipped(path: Path) -> None:
    raw = raw_card(path)
    text = render_card(card_of(path), "en")
    assert "## Evaluation" in text  # the template's section: results, or that none are published
    assert ("No evaluation results are published" in text) == ("evaluation" not in raw)
    assert ("## Citation" in text) == ("citation" in raw)
    assert "## Environmental impact" in text  # the template's section: figures or "not published"
    unknown = not {"hardware", "compute", "duration_days"} & set(raw["training"])
    assert ("have not published the hardware, duration or energy" in text) == unknown
    assert "## Model card contact" in text  # the template's section: the contact or "Not published"
    assert ("## Model card contact\n\nNot published" in text) == ("contact" not in raw["identity"])
    assert ("## Acknowledgements" in text) == ("acknowledgements" in raw["prose"])
    assert ("## Evaluation" in text) or "| Benchmark |" not in text


# --- front matter ----------------------------------------------------------------------------


def _expected_results(raw: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            r.get("task", {}).get("type", "text-generation"),
            r["dataset"]["type"],
            r["dataset"]["name"],
            r["metric"]["type"],
            r["metric"]["value"],
        )
        for r in raw.get("evaluation", {}).get("results", [])
    ]


@pytest.mark.parametrize("layout", [name for name, lay in LAYOUTS.items() if lay.filename == "README.md"])
@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_front_matter_round_trips_through_huggingface_hub(path: Path, layout: str) -> None:
    raw = raw_card(path)
    data = ModelCard(render_card(card_of(path), layout)).data
    results = [
        (r.task_type, r.dataset_type, r.dataset_name, r.metric_type, r.metric_value)
        for r in data.eval_results or []
    ]
    assert results == _expected_results(raw)
    assert data.license == raw["license"]["id"]
    assert (data.datasets or []) == [d["id"] for d in raw["training"]["datasets"] if "id" in d]
    assert data.language == raw["identity"]["languages"]
    assert data.base_model == raw["identity"].get("base_model")
    assert data.pipeline_tag == "text-generation"
    assert data.library_name == "transformers"
    if raw["license"]["id"] == "other":
        assert data.license_link == raw["license"]["url"]


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_committed_readmes_load_with_model_card(path: Path) -> None:
    raw = raw_card(path)
    for name in ("README.md",):
        data = ModelCard.load(path.parent / name).data
        assert [
            (r.task_type, r.dataset_type, r.dataset_name, r.metric_type, r.metric_value)
            for r in data.eval_results or []
        ] == _expected_results(raw)
        assert data.license == raw["license"]["id"]


@pytest.mark.parametrize("layout", [name for name, lay in LAYOUTS.items() if lay.filename != "README.md"])
def test_secondary_language_files_carry_no_front_matter(layout: str, cards: dict[str, Card]) -> None:
    text = render_card(cards[GOLDEN_SLUG], layout)
    assert not text.startswith("---"), "only README.md is read by the Hub; a second copy can drift"
    assert "model-index" not in text and "license:" not in text


def _switcher(text: str) -> list[str]:
    line = next(line for line in body_of(text).split("\n") if "README" in line and " | " in line)
    return re.findall(r"\]\(([^)]+)\)", line)


def test_switcher_links_every_layout_written_together(cards: dict[str, Card]) -> None:
    texts = render_layouts(cards[GOLDEN_SLUG], list(DEFAULT_LAYOUTS))
    files = {LAYOUTS[name].filename for name in DEFAULT_LAYOUTS}
    assert "README_zh-Hant.md" in files
    for name, text in texts.items():
        assert set(_switcher(text)) == files - {LAYOUTS[name].filename}, name
    alone = render_layouts(cards[GOLDEN_SLUG], ["en", "zh"], published=["en", "zh"])
    assert _switcher(alone["en"]) == ["README_zh.md"], "a switcher never links a file not written"


def test_render_links_an_existing_sibling_it_does_not_rewrite(card_copy: Callable[[str], Path]) -> None:
    path = card_copy(GOLDEN_SLUG)
    assert main(["render", "--lang", "zh-Hant", str(path.parent)]) == 0
    assert main(["render", "--lang", "en", str(path.parent)]) == 0
    assert _switcher((path.parent / "README.md").read_text(encoding="utf-8")) == ["README_zh-Hant.md"]


def _tables(text: str) -> list[list[str]]:
    return _table_rows(body_of(text))


@pytest.mark.parametrize("slug", SLUGS)
def test_bilingual_layout_shows_each_table_once_with_bilingual_headers(
    slug: str, cards: dict[str, Card]
) -> None:
    english, both = _tables(render_card(cards[slug], "en")), _tables(render_card(cards[slug], "en+zh"))
    assert len(both) == len(english), "each table once, not once per language"
    for en_table, table in zip(english, both, strict=True):
        assert len(table) == len(en_table)
        assert " · " in table[0], table[0]  # `Property · 属性`
        assert CJK.search(table[0]), table[0]


def test_one_shared_source_is_stated_once_not_per_row(cards: dict[str, Card]) -> None:
    text = render_card(cards[GOLDEN_SLUG], "en")
    url = "https://huggingface.co/spaces/HuggingFaceH4/open_llm_leaderboard?query=stabilityai/stablelm-3b-4e1t"
    assert body_of(text).count(url) == 1
    results = next(table for table in _tables(text) if table[0].startswith("| Benchmark"))
    assert "Source" not in results[0]


def test_two_sources_keep_the_source_column(cards: dict[str, Card]) -> None:
    card = cards[GOLDEN_SLUG]
    evaluation = card.evaluation
    assert evaluation is not None and evaluation.results[0].source is not None
    other = evaluation.results[0].source.model_copy(update={"name": "Paper", "url": "https://example.org/p"})
    results = [evaluation.results[0].model_copy(update={"source": other}), *evaluation.results[1:]]
    changed = card.model_copy(update={"evaluation": evaluation.model_copy(update={"results": results})})
    table = next(t for t in _tables(render_card(changed, "en")) if t[0].startswith("| Benchmark"))
    assert "Source" in table[0] and "https://example.org/p" in table[2]


@pytest.mark.parametrize("slug", SLUGS)
def test_sentences_are_not_repeated(slug: str, cards: dict[str, Card]) -> None:
    for layout in DEFAULT_LAYOUTS:
        tokens = MD.parse(body_of(render_card(cards[slug], layout)))
        paragraphs = [t.content for t in tokens if t.type == "inline" and len(t.content) > 40]
        pieces = [s.strip() for p in paragraphs for s in re.split(r"(?<=[.。!?！？])\s*", p)]
        sentences = [s for s in pieces if len(s) > 30]
        repeated = {s for s in sentences if sentences.count(s) > 1}
        assert not repeated, (layout, repeated)


def test_architecture_table_shows_the_computed_count(cards: dict[str, Card]) -> None:
    card = cards["stablelm-2-12b"]
    difference = card.architecture.parameters.acknowledged_difference
    assert difference is not None and difference.amount != 0
    computed = card.architecture.parameters.count + difference.amount
    text = render_card(card, "en")
    technical = text[text.index("### Model architecture") :]
    assert f"| Parameters (computed from the architecture) | {computed:,} |" in technical


def test_inference_memory_is_computed_from_the_architecture(cards: dict[str, Card]) -> None:
    card = cards["llama-2-13b"]  # 40 layers x 40 key/value heads x 128 wide, 4,096 positions
    arch = card.architecture
    per_token = 2 * 40 * 128 * 2 * 40
    assert (arch.num_layers, arch.num_kv_heads, arch.head_dim) == (40, 40, 128)
    text = render_card(card, "en")
    assert f"| Key/value cache per token (16-bit) | {per_token:,} bytes |" in text
    assert f"| {round(per_token * 4096 / 1e9, 2)} GB (4,096 tokens) |" in text
    assert f"| Weights, 16-bit (bf16 or fp16) | {round(arch.parameters.count * 2 / 1e9, 2)} GB |" in text
    assert f"| Weights, 4-bit | {round(arch.parameters.count / 2 / 1e9, 2)} GB |" in text


def test_memory_estimate_handles_windows_and_missing_facts(cards: dict[str, Card]) -> None:
    from cardkit.render.memory import estimate
    from cardkit.schema.architecture import SlidingWindow

    arch = cards["llama-2-13b"].architecture
    window = SlidingWindow(tokens=1024, layers=list(range(10, 40)))  # the last 30 of 40 layers
    windowed = arch.model_copy(update={"sliding_window": window})
    per_layer_token = 2 * 40 * 128 * 2
    assert estimate(windowed).kv_full_context == per_layer_token * (10 * 4096 + 30 * 1024)
    unknown = arch.model_copy(update={"num_kv_heads": None})
    assert estimate(unknown).kv_per_token is None and estimate(unknown).kv_full_context is None
    card = cards["llama-2-13b"].model_copy(update={"architecture": unknown})
    assert "| Key/value cache per token (16-bit) | Not published |" in render_card(card, "en")


def test_trimming_a_bare_url_is_linear() -> None:
    """A URL ending in 200,000 `)` is trimmed in one pass (recounting the brackets for each one
    trimmed took about 17 s; this takes a tenth of a second)."""
    import time

    start = time.perf_counter()
    text = prose("see https://a.example/" + ")" * 200_000)
    assert time.perf_counter() - start < 3
    assert text.startswith("see <https://a.example/>)")


def test_an_aside_with_parentheses_is_not_nested_in_more(cards: dict[str, Card]) -> None:
    text = render_card(cards["llama-2-13b"], "en")
    assert "| `pass@1` — average pass@1 (HumanEval, MBPP) |" in text
    assert "(average pass@1 (" not in text


def test_contact_says_not_published_when_the_card_has_none(cards: dict[str, Card]) -> None:
    card = cards[GOLDEN_SLUG]
    nobody = card.model_copy(update={"identity": card.identity.model_copy(update={"contact": None})})
    text = render_card(nobody, "en")
    assert "## Model card contact\n\nNot published\n" in text


# --- escaping --------------------------------------------------------------------------------


def test_pipe_in_a_table_cell_stays_in_its_cell(cards: dict[str, Card]) -> None:
    card = with_dataset(cards[GOLDEN_SLUG], name="Web | Code", id=None)
    body = body_of(render_card(card, "en"))
    html = MD.render(body)
    assert "<td>Web | Code</td>" in html
    for table in _table_rows(body):
        assert len({len(UNESCAPED_PIPE.findall(line)) for line in table}) == 1


def test_backslash_before_pipe_cannot_split_a_cell(cards: dict[str, Card]) -> None:
    card = with_dataset(cards[GOLDEN_SLUG], name="a\\|b \\", id=None)
    body = body_of(render_card(card, "en"))
    for table in _table_rows(body):
        assert len({len(UNESCAPED_PIPE.findall(line)) for line in table}) == 1, table
    # In Markdown card text a backslash-pipe already means a literal pipe; the cell must keep that.
    assert "<td>a|b \\</td>" in MD.render(body)


def test_heading_in_prose_cannot_add_a_section(cards: dict[str, Card]) -> None:
    card = with_prose(cards[GOLDEN_SLUG], bias=LocalizedText(en="## Evaluation\nfake", zh="## 评测\n假"))
    tokens = MD.parse(body_of(render_card(card, "en+zh")))
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings.count("Evaluation · 评测") == 1
    assert "Evaluation" not in headings and "评测" not in headings


def test_newline_in_a_table_cell_keeps_the_row(cards: dict[str, Card]) -> None:
    description = LocalizedText(en="first line\nsecond | line", zh="第一行\n第二行")
    card = with_dataset(cards[GOLDEN_SLUG], description=description)
    body = body_of(render_card(card, "en"))
    assert "first line<br>second \\| line" in body
    assert "<td>first line<br>second | line</td>" in MD.render(body)


@pytest.mark.parametrize("summary", ["---\nstarts with a rule", "intro\n---\nafter a rule", "a\n\n---\n\nb"])
def test_dash_rule_in_prose_cannot_end_front_matter_or_make_a_rule(
    summary: str, cards: dict[str, Card]
) -> None:
    card = with_prose(cards[GOLDEN_SLUG], summary=LocalizedText(en=summary, zh=summary))
    text = render_card(card, "en")
    assert not any(line.strip() == "---" for line in body_of(text).split("\n"))
    tokens = MD.parse(body_of(text))
    assert not [t for t in tokens if t.type == "hr"]
    assert not [t for t in tokens if t.type == "heading_open" and t.markup == "-"]
    data = ModelCard(text).data
    assert data.license == "cc-by-sa-4.0"
    assert len(data.eval_results) == 6


def test_raw_html_in_prose_is_escaped(cards: dict[str, Card]) -> None:
    evil = LocalizedText(
        en='Hi <script>alert("x")</script> <img src=x onerror=y>', zh="你好<script>x</script>"
    )
    card = with_prose(cards[GOLDEN_SLUG], bias=evil)
    for layout in LAYOUTS:
        html = MD.render(body_of(render_card(card, layout)))
        assert "<script" not in html
        assert "<img" not in html
    assert "&lt;script&gt;" in MD.render(body_of(render_card(card, "en")))


def test_html_inside_code_spans_stays_literal(cards: dict[str, Card]) -> None:
    html = MD.render(body_of(render_card(cards["stablelm-tuned-alpha-7b"], "en")))
    assert "<code>&lt;|SYSTEM|&gt;</code>" in html
    assert "&amp;lt;" not in html


def test_jinja_delimiters_in_card_text_are_literal(cards: dict[str, Card]) -> None:
    tricky = "{{ 7 * 7 }} {% if true %}yes{% endif %} {# c #} {{ card.license.id }}"
    card = with_prose(cards[GOLDEN_SLUG], summary=LocalizedText(en=tricky, zh=tricky))
    card = with_dataset(card, name="{{ 6 * 7 }}")
    for layout in LAYOUTS:
        text = render_card(card, layout)
        assert tricky in text
        assert "{{ 6 * 7 }}" in text
        assert "49 yes" not in text, "card text was evaluated as a template"
        assert not re.search(r"\b42\b", text.rsplit("<!-- cardkit:", 1)[0])


def test_backticks_in_code_cannot_close_the_fence(cards: dict[str, Card]) -> None:
    base = cards[GOLDEN_SLUG]
    snippet = base.usage.snippets[0].model_copy(update={"code": 'x = """\n```\n"""\nprint(x)\n'})
    card = base.model_copy(update={"usage": base.usage.model_copy(update={"snippets": [snippet]})})
    blocks = [t.content for t in MD.parse(body_of(render_card(card, "en"))) if t.type == "fence"]
    assert 'x = """\n```\n"""\nprint(x)\n' in blocks


@pytest.mark.parametrize(
    ("function", "text", "expected"),
    [
        (cell, "a | b", "a \\| b"),
        (cell, "a\nb", "a<br>b"),
        (code, "<|USER|>", "`<|USER|>`"),
        (code, "a`b", "``a`b``"),
        (code, "`x", "`` `x ``"),
        (fence, "no backticks", "```"),
        (fence, "````\ncode", "`````"),
        (prose, "see <https://example.com> & <b>", "see <https://example.com> &amp; &lt;b&gt;"),
        (prose, "```\nnot a fence", "\\```\nnot a fence"),
        (prose, "===", "\\==="),
        (prose, "# Fake section\n  ## x", "\\# Fake section\n  \\## x"),
        (prose, "#hashtag and C# stay", "#hashtag and C# stay"),
        (prose, "\\`<script>`", "\\`&lt;script&gt;`"),  # an escaped backtick opens no code span
        (prose, "``<b>`", "``&lt;b&gt;`"),  # unmatched runs are literal
        (prose, "`<|USER|>` <i>", "`<|USER|>` &lt;i&gt;"),
        # no code span across lines (HTML blocks interrupt): the open run is backslashed, since the
        # next line's run would close it into a span that shows `&lt;` literally
        (prose, "`a\n<div>`", "\\`a\n&lt;div&gt;`"),
        (prose, "见 https://stability.ai/membership。", "见 <https://stability.ai/membership>。"),
        (prose, "（https://a.example/x），", "（<https://a.example/x>），"),
        (prose, "see https://a.example/x.", "see <https://a.example/x>."),
        (prose, "[docs](https://a.example/x) [https://b.example](https://b.example)",
         "[docs](https://a.example/x) [https://b.example](https://b.example)"),
        (cell, "Yuan &amp; Liu", "Yuan &amp; Liu"),  # escaped once, by inline/prose, never again
    ],
)
def test_markdown_filters(function: Callable[[str], str], text: str, expected: str) -> None:
    assert function(text) == expected


# --- catalogs --------------------------------------------------------------------------------


def _po_messages(path: Path) -> dict[str, str]:
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def test_every_template_message_is_in_the_pot_and_every_catalog() -> None:
    used = {m.id for m in template_messages() if m.id}
    assert len(used) > 50
    assert set(_po_messages(POT_PATH)) == used, "run python -m cardkit.render.catalogs"
    for name in sorted({spec.catalog for spec in LOCALES.values()}):
        assert used <= set(_po_messages(catalog_path(name))), name


def test_chinese_catalog_translates_every_label_into_chinese() -> None:
    zh = _po_messages(catalog_path("zh"))
    untranslated = sorted(msgid for msgid, string in zh.items() if not string or not CJK.search(string))
    assert untranslated == []


def test_traditional_chinese_is_derived_with_opencc() -> None:
    import opencc

    from cardkit.render.glossary import to_taiwan

    raw = opencc.OpenCC("s2twp").convert

    def convert(text: str) -> str:
        return to_taiwan(raw(text))

    zh = _po_messages(catalog_path("zh"))
    hant = translations("zh-Hant")
    assert all(hant.gettext(msgid) == convert(string) for msgid, string in zh.items())
    assert hant.gettext("Model details") != zh["Model details"]


def test_model_parameters_stay_parameters_in_taiwan_phrasing(cards: dict[str, Card]) -> None:
    """s2twp alone writes 引數 (a function argument) for 参数 and 實驗物件 (an object in code) for
    实验对象; the card means the model's 參數 and a research subject."""
    hant = render_card(cards[GOLDEN_SLUG], "zh-Hant")
    assert "引數" not in hant
    assert "約 28 億參數" in hant
    assert "實驗對象" in hant


@pytest.mark.parametrize("layout", ["zh", "zh-Hant"])
@pytest.mark.parametrize("slug", SLUGS)
def test_no_english_label_in_chinese_readmes(slug: str, layout: str, cards: dict[str, Card]) -> None:
    body = body_of(render_card(cards[slug], layout))
    labels = [line for line in body.split("\n") if line.startswith("#") or line.startswith("| ")]
    msgids = {m.id for m in template_messages() if m.id}
    leaked = sorted(m for m in msgids for line in labels if f"# {m}" in line or line.startswith(f"| {m} |"))
    assert leaked == []
    assert CJK.search(body_of(render_card(cards[slug], layout)).split("## ", 1)[1])


def test_chinese_uses_locale_formatting(cards: dict[str, Card]) -> None:
    zh = render_card(cards[GOLDEN_SLUG], "zh")
    assert "2023年8月23日" in zh
    assert "4,000,000,000,000（4万亿）" in zh
    hant = render_card(cards[GOLDEN_SLUG], "zh-Hant")
    assert "4,000,000,000,000（4兆）" in hant
    assert "英文" in hant


# --- files: --check, --force, hash marker, atomic writes --------------------------------------


def test_committed_readmes_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--check", str(CARDS_DIR)]) == 0, capsys.readouterr().out
    for path in CARD_PATHS:
        for name in (LAYOUTS[layout].filename for layout in DEFAULT_LAYOUTS):
            assert recorded_hash_matches((path.parent / name).read_text(encoding="utf-8")) is True


def test_check_fails_with_a_diff_after_a_card_edit(
    rendered_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = rendered_copy(GOLDEN_SLUG)
    before = (path.parent / "README.md").read_text(encoding="utf-8")
    replace_once(path, "as a compact base for fine-tuning", "as a small base for fine-tuning")
    capsys.readouterr()
    assert main(["render", "--check", str(path.parent)]) == 1
    out = capsys.readouterr().out
    assert "error [render-stale]" in out
    assert f"{path.parent.name}/README.md" in out
    assert "-pretrained for four epochs" not in out
    assert re.search(r"^-.*as a compact base for fine-tuning", out, re.MULTILINE)
    assert re.search(r"^\+.*as a small base for fine-tuning", out, re.MULTILINE)
    assert (path.parent / "README.md").read_text(encoding="utf-8") == before, "--check must not write"


def test_check_reports_a_missing_readme(
    card_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = card_copy("llama-2-13b")
    assert main(["render", "--check", str(path.parent)]) == 1
    out = capsys.readouterr().out
    assert out.count("error [render-missing]") == len(DEFAULT_LAYOUTS)
    assert not (path.parent / "README.md").exists()


def test_render_is_idempotent(rendered_copy: Callable[[str], Path]) -> None:
    path = rendered_copy("falcon-40b-instruct")
    results = render_paths([path.parent])
    assert [r.status for r in results] == ["unchanged"] * len(DEFAULT_LAYOUTS)


def test_rerender_after_card_edit_overwrites_own_output(rendered_copy: Callable[[str], Path]) -> None:
    path = rendered_copy(GOLDEN_SLUG)
    replace_once(path, "as a compact base for fine-tuning", "as a small base for fine-tuning")
    statuses = [r.status for r in render_paths([path.parent]) if r.layout != ".eval_results"]
    assert statuses == ["written", "unchanged", "unchanged"]  # the Chinese text is unchanged
    assert "as a small base" in (path.parent / "README.md").read_text(encoding="utf-8")


def test_hand_edited_readme_is_not_overwritten_without_force(
    rendered_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = rendered_copy(GOLDEN_SLUG)
    readme = path.parent / "README.md"
    edited = readme.read_text(encoding="utf-8").replace("## Uses", "## Uses\n\nA hand-written note.")
    readme.write_text(edited, encoding="utf-8")
    replace_once(path, "as a compact base for fine-tuning", "as a small base for fine-tuning")
    capsys.readouterr()
    assert main(["render", str(path.parent)]) == 1
    out = capsys.readouterr().out
    assert re.search(
        rf"{re.escape(path.parent.name)}/README\.md: error \[render-hand-edited\] .*--force", out
    )
    assert readme.read_text(encoding="utf-8") == edited
    assert main(["render", "--force", str(path.parent)]) == 0
    assert readme.read_text(encoding="utf-8") == render_card(card_of(path), "en")


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: text + "A note added below the marker.\n",
        lambda text: text.rstrip("\n"),  # the final newline removed by an editor
        lambda text: text.replace("\n", "\r\n"),  # line endings converted on checkout
    ],
    ids=["text-after-marker", "no-final-newline", "crlf"],
)
def test_an_edit_around_the_hash_marker_is_a_hand_edit_not_a_missing_marker(
    rendered_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str], edit: Callable[[str], str]
) -> None:
    path = rendered_copy(GOLDEN_SLUG)
    readme = path.parent / "README.md"
    edited = edit(readme.read_bytes().decode("utf-8"))
    readme.write_bytes(edited.encode("utf-8"))
    replace_once(path, "as a compact base for fine-tuning", "as a small base for fine-tuning")
    capsys.readouterr()
    assert main(["render", "--lang", "en", str(path.parent)]) == 1
    assert "error [render-hand-edited]" in capsys.readouterr().out
    assert readme.read_bytes().decode("utf-8") == edited
    assert main(["render", "--lang", "en", "--check", str(path.parent)]) == 1
    assert "(and was edited by hand)" in capsys.readouterr().out


def test_readme_not_written_by_cardkit_is_not_overwritten(
    card_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = card_copy("llama-2-13b")
    readme = path.parent / "README.md"
    readme.write_text("# My own README\n", encoding="utf-8")
    assert main(["render", "--lang", "en", str(path.parent)]) == 1
    assert "error [render-not-generated]" in capsys.readouterr().out
    assert readme.read_text(encoding="utf-8") == "# My own README\n"


def test_writes_are_atomic(rendered_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    path = rendered_copy(GOLDEN_SLUG)
    files = {p.relative_to(path.parent): p.read_bytes() for p in path.parent.rglob("*") if p.is_file()}
    replace_once(path, "as a compact base for fine-tuning", "as a small base for fine-tuning")
    files[Path("card.yaml")] = path.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    results = render_paths([path.parent])
    assert "failed" in {r.status for r in results}
    assert {f.code for r in results for f in r.findings} == {"io-error"}
    after = {p.relative_to(path.parent): p.read_bytes() for p in path.parent.rglob("*") if p.is_file()}
    assert after == files, "no partial or temp files"


def test_out_dir_and_layouts(card_copy: Callable[[str], Path], tmp_path: Path) -> None:
    path = card_copy("stablelm-2-12b")
    out = tmp_path / "out"
    assert main(["render", "--lang", "zh-Hant", "--lang", "en+zh", "--out", str(out), str(path.parent)]) == 0
    written = sorted(p.name for p in (out / "stablelm-2-12b").iterdir())
    assert written == ["README.md", "README_zh-Hant.md"]
    assert not (path.parent / "README.md").exists()
    bilingual = (out / "stablelm-2-12b" / "README.md").read_text(encoding="utf-8")
    assert "## Model details · 模型详情" in bilingual
    raw = raw_card(path)["prose"]["intended_use"]
    direct = bilingual.index("### Direct use · 直接使用")
    assert (
        direct
        < bilingual.index(raw["en"][:40])
        < bilingual.index(raw["zh"][:10])
        < bilingual.index("## Bias")
    )
    blocks = [t.content for t in MD.parse(body_of(bilingual)) if t.type == "fence"]
    assert len(blocks) == len(set(blocks)), "code the two languages share is written once"


def test_conflicting_layouts_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--lang", "en", "--lang", "en+zh", str(CARDS_DIR)]) == 2
    assert "both write README.md" in capsys.readouterr().err


def test_invalid_card_is_reported_not_rendered(
    card_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = card_copy("llama-2-13b")
    replace_once(path, "  num_layers: 40", "  num_layers: many")
    assert main(["render", str(path.parent)]) == 1
    out = capsys.readouterr().out
    assert "error [render-card-invalid]" in out
    assert "schema-int-parsing" in out
    assert not (path.parent / "README.md").exists()


def test_layout_choices_match_the_library() -> None:
    assert tuple(LAYOUTS) == LAYOUT_CHOICES


def test_render_does_not_import_torch_or_transformers(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from cardkit.cli import main\n"
        f"code = main(['render', '--check', {str(CARDS_DIR)!r}])\n"
        "heavy = sorted(m for m in ('torch', 'transformers') if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip().endswith("0 []"), result.stdout + result.stderr


def test_templates_and_catalogs_are_package_data() -> None:
    tomllib = pytest.importorskip("tomllib")  # standard library from Python 3.11
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "cardkit"
    ]
    package = ROOT / "cardkit"
    shipped = {p for pattern in patterns for p in package.glob(pattern) if p.is_file()}
    needed = {
        p
        for p in (package / "render").rglob("*")
        if p.is_file() and p.suffix in {".j2", ".po", ".pot", ".yaml"}
    }
    assert needed and needed <= shipped


def test_golden_dir_only_has_reviewed_layouts() -> None:
    assert sorted(p.name for p in (GOLDEN_DIR / GOLDEN_SLUG).iterdir()) == sorted(
        f"{name}.md" for name in LAYOUTS
    )


# --- properties: no card text can change the README's structure -------------------------------

MARKUP = st.sampled_from(
    [
        *"ab |\\`<>/-=*_#~[](){}%&:\n\t",
        "script",
        "---",
        "```",
        "<!--",
        "    ",
        "1. ",
        "> ",
        "- ",
        "<a>",
        "\\|",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(MARKUP, max_size=16).map("".join))
@example("`\n`<a>`")  # a backtick left open on one line paired with the next line's: `<a>` was HTML
@example("``x\ny``<b>")
def test_no_prose_makes_html_rules_headings_or_fences(text: str) -> None:
    tokens = MD.parse(prose(text) or "x")
    inline_tokens = [child for t in tokens if t.children for child in t.children]
    kinds = {t.type for t in tokens} | {t.type for t in inline_tokens}
    assert not kinds & {"html_block", "html_inline", "hr", "heading_open", "fence"}, prose(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(MARKUP, max_size=6).map("".join), min_size=3, max_size=3))
def test_no_cell_text_breaks_a_table(cells: list[str]) -> None:
    table = md_table(["A", "B", "C"], [[inline(c) for c in cells], ["x", "y", "z"]])
    lines = table.split("\n")
    assert len(lines) == 4
    assert len({len(UNESCAPED_PIPE.findall(line)) for line in lines}) == 1, table
    tokens = MD.parse(table)
    assert [t.type for t in tokens].count("tr_open") == 3
    assert not [c for t in tokens if t.children for c in t.children if c.type == "html_inline"]
