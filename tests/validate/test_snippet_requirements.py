"""A card's stated requirements against what its snippets' code needs (issue 14: snippets that run)."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from cardkit.core.findings import Finding, Severity
from cardkit.validate import ValidateOptions, validate_card
from cardkit.validate.snippet_requirements import parse_requirements, snippet_needs, unmet
from tests.helpers import CARDS_DIR, SLUGS, line_of, replace_once

SCHEMA_ONLY = ValidateOptions(model=False, cache=False)
CODES = {"usage-requirement-missing", "usage-requirement-too-old", "usage-requirement-invalid"}


def _copy(slug: str, tmp_path: Path) -> Path:
    shutil.copytree(CARDS_DIR / slug, tmp_path / slug)
    return tmp_path / slug / "card.yaml"


def _requirement_findings(card: Path) -> list[Finding]:
    return [f for f in validate_card(card, SCHEMA_ONLY).findings if f.code in CODES]


@pytest.mark.parametrize("slug", SLUGS)
def test_every_shipped_card_states_what_its_snippets_need(slug: str) -> None:
    assert _requirement_findings(CARDS_DIR / slug / "card.yaml") == []


def test_a_minimum_older_than_dtype_is_an_error_at_the_requirement(tmp_path: Path) -> None:
    """The StableLM cards said transformers>=4.38 above snippets passing `dtype=` (4.56+)."""
    card = _copy("stablelm-3b-4e1t", tmp_path)
    replace_once(card, '"transformers>=4.56.0"', '"transformers>=4.38.0"')
    [finding] = _requirement_findings(card)
    assert (finding.code, finding.severity, finding.field) == (
        "usage-requirement-too-old",
        Severity.ERROR,
        "usage.requirements[1]",
    )
    assert finding.line == line_of(card, "transformers>=4.38.0")
    assert (finding.expected, finding.actual) == ("transformers>=4.56.0", "transformers>=4.38.0")


def test_device_map_without_accelerate_is_reported_at_the_keyword(tmp_path: Path) -> None:
    card = _copy("falcon-40b-instruct", tmp_path)
    replace_once(card, ', "accelerate"]', "]")
    [finding] = _requirement_findings(card)
    assert (finding.code, finding.severity) == ("usage-requirement-missing", Severity.WARNING)
    assert finding.expected == "accelerate"
    assert finding.line == line_of(card, 'dtype=torch.bfloat16, device_map="auto"')


def test_a_snippets_own_requirements_count_for_that_snippet_only(tmp_path: Path) -> None:
    card = _copy("stablelm-2-12b", tmp_path)
    replace_once(card, '      requirements: ["flash-attn"]\n', "")
    [finding] = _requirement_findings(card)
    assert (finding.code, finding.field, finding.expected) == (
        "usage-requirement-missing",
        "usage.snippets[1].code",
        "flash-attn",
    )


def test_a_requirement_that_is_not_pep_508_is_an_error(tmp_path: Path) -> None:
    card = _copy("llama-2-13b", tmp_path)
    replace_once(card, '"accelerate"]', '"accelerate", "transformers >> 4"]')
    findings = _requirement_findings(card)
    assert [(f.code, f.field) for f in findings] == [("usage-requirement-invalid", "usage.requirements[3]")]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import torch", {("torch", None)}),
        ("from transformers import AutoTokenizer", {("transformers", None)}),
        ('AutoTokenizer.from_pretrained("x", dtype="auto")', {("transformers", "4.56.0")}),
        ('AutoModelForCausalLM.from_pretrained("x")', {("torch", None)}),
        ('M.from_pretrained("x", attn_implementation="flash_attention_2")', {
            ("transformers", "4.36.0"),
            ("flash-attn", None),
        }),
        ('M.from_pretrained("x", attn_implementation="sdpa")', {("transformers", "4.36.0")}),
        ('M.from_pretrained("x", device_map="auto", load_in_4bit=True)', {
            ("accelerate", None),
            ("bitsandbytes", None),
        }),
        ("import numpy\nfrom . import local", set()),
    ],
)
def test_what_code_needs(code: str, expected: set[tuple[str, str | None]]) -> None:
    needs = snippet_needs(ast.parse(code))
    assert {(n.package, str(n.minimum) if n.minimum else None) for n in needs} == expected


@given(
    minimum=st.tuples(st.integers(0, 6), st.integers(0, 60), st.integers(0, 3)),
    stated=st.tuples(st.integers(0, 6), st.integers(0, 60), st.integers(0, 3)),
    operator=st.sampled_from([">=", "==", "~="]),
)
def test_a_lower_bound_is_too_old_exactly_when_it_is_older(
    minimum: tuple[int, int, int], stated: tuple[int, int, int], operator: str
) -> None:
    need_version = ".".join(map(str, minimum))
    stated_version = ".".join(map(str, stated))
    requirements, invalid = parse_requirements([f"transformers{operator}{stated_version}"], ("r",))
    assert invalid == []
    code = f'M.from_pretrained("x", dtype="auto")\nimport transformers  # {need_version}'
    needs = [n for n in snippet_needs(ast.parse(code)) if n.minimum is not None]
    needs = [type(n)(n.package, Version(need_version), n.why, n.line) for n in needs]
    problems = unmet(needs, requirements)
    assert bool(problems) == (Version(stated_version) < Version(need_version))


def test_a_package_stated_without_a_bound_meets_any_minimum() -> None:
    requirements, _ = parse_requirements(["transformers", "torch"], ("r",))
    needs = snippet_needs(ast.parse('M.from_pretrained("x", dtype="auto")'))
    assert unmet(needs, requirements) == []
