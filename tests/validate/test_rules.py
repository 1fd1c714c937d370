"""Card-internal rules: each negative case breaks one field of a copy and expects one finding there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cardkit.core.findings import Severity
from cardkit.validate import ValidateOptions, validate_card
from cardkit.validate.card_rules import template_code
from tests.helpers import replace_once

SCHEMA_ONLY = ValidateOptions(model=False)

# (old text, new text, code, field, severity)
BREAKS = [
    (
        "  num_kv_heads: 32",
        "  num_kv_heads: 12",
        "arch-kv-heads-divide-heads",
        "architecture.num_kv_heads",
        Severity.ERROR,
    ),
    (
        "  num_attention_heads: 32\n  num_kv_heads: 32\n  head_dim: 80\n",  # a stated head_dim may differ
        "  num_attention_heads: 24\n  num_kv_heads: 24\n",
        "arch-heads-divide-hidden",
        "architecture.num_attention_heads",
        Severity.ERROR,
    ),
    (
        "  vocab_size: 50257",
        "  vocab_size: 50400",
        "tokenizer-exceeds-embeddings",
        "tokenizer.vocab_size",
        Severity.ERROR,
    ),
    (
        "    label: 3B",
        "    label: 7B",
        "identity-size-label",
        "architecture.parameters.label",
        Severity.ERROR,
    ),
    ("  variant: base", "  variant: chat", "identity-base-model", "identity.variant", Severity.ERROR),
    (
        "  tokens: 4000000000000",
        "  tokens: 3000000000000",
        "training-tokens-epochs",
        "training.tokens",
        Severity.ERROR,
    ),
    (
        '  stop_tokens: ["<|endoftext|>"]',
        '  stop_tokens: ["<|end|>"]',
        "usage-stop-token-undeclared",
        "usage.stop_tokens[0]",
        Severity.WARNING,
    ),
    (
        "  @misc{StableLM-3B-4E1T,",
        "  @misc{StableLM-3B-4E1T",
        "schema-citation-invalid",
        "citation",
        Severity.ERROR,
    ),
    (
        "    do_sample: true",
        "    do_sample: false",
        "usage-greedy-with-sampling",
        "usage.generation.do_sample",
        Severity.WARNING,
    ),
    (
        "      value: 46.58",
        "      value: 47.0",
        "eval-average-mismatch",
        "evaluation.summaries[0].value",
        Severity.ERROR,
    ),
    (
        "      of: [arc, hellaswag,",
        "      of: [arc, hellaswagg,",
        "eval-unknown-result",
        "evaluation.summaries[0].of",
        Severity.ERROR,
    ),
    ("    - id: mmlu", "    - id: arc", "eval-duplicate-id", "evaluation.results[2].id", Severity.ERROR),
    (
        "使用 bfloat16 精度和",
        "使用 bfloat16 精度\n      和",
        "prose-zh-space",
        "training.summary.zh",
        Severity.WARNING,
    ),
    ("训练四轮，使用", "训练四轮,使用", "prose-zh-punctuation", "training.summary.zh", Severity.WARNING),
]


@pytest.mark.parametrize(("old", "new", "code", "field", "severity"), BREAKS, ids=[b[2] for b in BREAKS])
def test_rule_reports_the_broken_field(
    card_copy: Callable[[str], Path], old: str, new: str, code: str, field: str, severity: Severity
) -> None:
    path = card_copy("stablelm-3b-4e1t")
    if code == "prose-zh-space":
        # the zh text must become a folded block for a line break to turn into a space
        text = path.read_text(encoding="utf-8")
        start = text.index("    zh: 在一万亿")
        text = text[:start] + "    zh: >-\n      " + text[start + len("    zh: ") :]
        path.write_text(text, encoding="utf-8")
    line = replace_once(path, old, new)
    report = validate_card(path, SCHEMA_ONLY)
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, report.findings
    assert (found[0].field, found[0].severity) == (field, severity)
    if code not in {"prose-zh-space", "prose-zh-punctuation", "schema-citation-invalid"}:
        assert found[0].line == line


def test_snippet_loading_another_repo_is_located_on_its_code_line(card_copy: Callable[[str], Path]) -> None:
    path = card_copy("stablelm-3b-4e1t")
    text = path.read_text(encoding="utf-8")
    old = 'tokenizer = AutoTokenizer.from_pretrained("stabilityai/stablelm-3b-4e1t")'
    first = text.index(old)
    line = text[:first].count("\n") + 1
    path.write_text(text[:first] + old.replace("3b-4e1t", "7b") + text[first + len(old) :], encoding="utf-8")
    [finding] = [f for f in validate_card(path, SCHEMA_ONLY).findings if f.code == "usage-snippet-repo"]
    assert (finding.line, finding.field) == (line, "usage.snippets[0].code")
    assert (finding.expected, finding.actual) == ("stabilityai/stablelm-3b-4e1t", "stabilityai/stablelm-7b")


def test_snippet_that_does_not_parse(card_copy: Callable[[str], Path]) -> None:
    path = card_copy("stablelm-3b-4e1t")
    text = path.read_text(encoding="utf-8")
    first = text.index("        model.cuda()\n")
    line = text[:first].count("\n") + 1
    path.write_text(text[:first] + "        model.cuda(\n" + text[first + 21 :], encoding="utf-8")
    [finding] = [f for f in validate_card(path, SCHEMA_ONLY).findings if f.code == "usage-snippet-syntax"]
    assert finding.field == "usage.snippets[0].code"
    assert line <= finding.line <= line + 3


@pytest.mark.parametrize(
    "line",
    [
        "x = " + "-" * 5_000 + "1",
        "x = 1" + "+1" * 5_000,
        "x = " + "(" * 150 + ")" * 150,
        "x = " + "-" * 100_000 + "1",
    ],
    ids=["unary-minus", "long-sum", "deep-brackets", "over-the-size-limit"],
)
def test_snippet_the_parser_cannot_take_is_a_syntax_finding(
    card_copy: Callable[[str], Path], line: str
) -> None:
    """`ast.parse` raises RecursionError or MemoryError on these, not SyntaxError; each is a finding."""
    path = card_copy("stablelm-3b-4e1t")
    old = "      code: |\n        from transformers"
    text = path.read_text(encoding="utf-8")  # the first snippet of two that start this way
    path.write_text(text.replace(old, old.replace("from", f"{line}\n        from"), 1), encoding="utf-8")
    found = [f for f in validate_card(path, SCHEMA_ONLY).findings if f.code == "usage-snippet-syntax"]
    assert [f.field for f in found] == ["usage.snippets[0].code"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("plain", None),
        ("a {{ x }} b", "{{ x }}"),
        ("{{{}}", "{{{}}"),
        ("{% if %} {{ y }}", "{% if %}"),
        ("{#}", None),
        ("{{" * 1000 + "}}", "{{" * 1000 + "}}"),
        ("{{" * 1000, None),
        ("{# a\nb #}", "{# a\nb #}"),
    ],
)
def test_template_code_is_the_first_delimited_span(text: str, found: str | None) -> None:
    assert template_code(text) == found
