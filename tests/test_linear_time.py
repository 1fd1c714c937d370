"""Every text scan in lint, import and the card rules is linear in its input: doubling an adversarial
input at most about doubles the time.

Each family below is an input shape that made one pattern or loop super-linear (the comment names
it); the repro inputs of ../shared/repro/06, 07 and 14 are among them. A quadratic scan shows a ratio
near 4 and an exponential one never finishes the larger size, so the bound of 3 separates them from
linear work even on a noisy machine (best of several runs, up to three attempts; each case stays
well under a second).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from cardkit.core.python_snippet import SnippetError, parse_snippet
from cardkit.importing.readme import import_card
from cardkit.lint.engine import lint_text
from cardkit.lint.rules_code import MARKDOWN_LINK
from cardkit.readme.numbers import header_key, plain_cell
from cardkit.validate.card_rules import template_code

MAX_RATIO = 3.0
RUNS = 3
ATTEMPTS = 3
FLOOR = 0.005
"""Below 5 ms timer and allocator noise dominate; a super-linear scan at these sizes takes far longer."""


@dataclass(frozen=True)
class Family:
    name: str
    make: Callable[[int], str]
    run: Callable[[str], object]
    n: int


def _lint(text: str) -> object:
    return lint_text(text, "README.md", {"num_hidden_layers": 2}, "owner/model-7b")


def _import(text: str) -> object:
    return import_card(text, None, "owner/model-7b")


def _snippet(text: str) -> object:
    try:  # the uncached function: every timed run must parse
        return parse_snippet.__wrapped__(text)
    except SnippetError as exc:
        return exc


FAMILY_TABLE = "| Parameters | Layers |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n"
FAMILIES = [
    # document.SEPARATOR and rules_text.PAGE_CHROME: `\s*\|?\s*` split a line of spaces n ways
    Family("spaces", lambda n: "# T\n\nhello\n" + " " * n + "x\n", _lint, 20_000),
    # rules_text.URL_ENCODING_DAMAGE: the look-ahead reread the name from every `3A`
    Family("url-encoding", lambda n: "# T\n" + "-3Aa" * n + "\n", _lint, 10_000),
    # document.STATEMENT_AFTER_IMPORT: `\bimport\b.*?` from every `import`
    Family("flattened", lambda n: "# T\n\n```python\nimport os " + "import." * n + "\n```\n", _lint, 10_000),
    # scrape._depth: an unclosed string retried from every escaped quote
    Family("quotes", lambda n: 'Some text.\nimport os\nx = "' + '\\"' * n + "\nmore.\n", _lint, 10_000),
    # document._continues_code: each blank line looked ahead to the next code line
    Family("blank-lines", lambda n: "Model card.\nimport os\n" + "\n" * n + "x = 1\n", _lint, 5_000),
    # rules_code.citation_invalid: the line of each entry counted from the top of the file
    Family("bibtex", lambda n: "# T\n\n" + "@misc{}\n" * n, _lint, 4_000),
    # document.bibtex_entries: entries nested in entries were each sliced out and parsed again
    Family("nested-bibtex", lambda n: "# T\n\n" + "@misc{" * n + "}" * n + "\n", _lint, 2_000),
    # Document.size_billions: recomputed from the first (long) lines for every family table
    Family(
        "size-per-table",
        lambda n: "# Model\n\n" + "x " * n + "\n\n" + FAMILY_TABLE * (n // 50),
        lambda text: lint_text(text, "README.md", {"num_hidden_layers": 2}),
        10_000,
    ),
    # rules_code.MARKDOWN_LINK: `\[[^\]]*\]` from every `[` of one entry
    Family("bibtex-brackets", lambda n: "# T\n\n@misc{k, title={" + "[" * n + "}}\n", _lint, 20_000),
    # rules_code.MARKDOWN_LINK: `\(https?://[^)]*\)` from every link of one entry
    Family("bibtex-links", lambda n: "[a](http://" * n, MARKDOWN_LINK.search, 20_000),
    # rules_code._loaded_repos: the line of each `from_pretrained` counted from the top of the block
    Family(
        "loaded-repos",
        lambda n: "# T\n\n```python\n" + 'm = AutoModel.from_pretrained("a/b")\n' * n + "```\n",
        _lint,
        2_000,
    ),
    # rules_numbers.header_key: `\s*[(]` tried from every space of a header cell
    Family("header-spaces", lambda n: "| a" + " " * n + "b | c |\n|---|---|\n| 1 | 2 |\n", _lint, 20_000),
    # rules_numbers.SIZE_IN_TEXT: `(\d+...)\s?亿` tried from every digit of a run
    Family("digits", lambda n: "# Model 7B\n\nThis model is " + "1" * n + " big.\n", _lint, 20_000),
    # rules_numbers._aligned: one wide row made a total check cost rows x columns
    Family(
        "wide-total",
        lambda n: "| a | b |\n|---|---|\n| r |" + " 1 |" * n + "\n" + "| r | 1 |\n" * n + "| Total | 2 |\n",
        _lint,
        1_000,
    ),
    # rules_numbers._average_hit: a wide average row against every other row
    Family(
        "wide-average",
        lambda n: "| a | b |\n|---|---|\n" + "| r | 1 |\n" * n + "| Average |" + " 1 |" * n + "\n",
        _lint,
        2_000,
    ),
    # scrape._take_python: a snippet glued to the next, again and again, on one line
    Family("glued", lambda n: "Card.\n" + "import a " + "f()import a " * n + "\n", _lint, 2_000),
    # engine.DISABLE: an unclosed disable comment
    Family("disable", lambda n: "# T\n<!-- cardkit-lint disable=" + "a " * n + "\n", _lint, 20_000),
    # rules_text RUN_TOGETHER: an address-like run that never reaches Chinese text
    Family("address", lambda n: "# T\n\nx a@" + "b." * n + "1\n", _lint, 20_000),
    # front matter: a long list through load_yaml
    Family("front-matter", lambda n: "---\ntags:\n" + "- a\n" * n + "---\n# T\n", _lint, 2_000),
    # rules_prose.prose_total: a paragraph of emphasis markers and no total (80 s at 50,000 once)
    Family("emphasis", lambda n: "# T\n\nTotal " + "**" * n + " 3.3M GPU hours\n", _lint, 10_000),
    # importer._identity: `Developed by` followed by a name that runs to the end of the line
    Family("developer", lambda n: "# T\n\n" + "Developed by Someone " * n + "!\n", _import, 4_000),
    # importer.HARDWARE: `(\d+)\s*(?:块|个)?\s*` split a run of spaces, from every digit
    Family("hardware", lambda n: "# T\n\nOn 1" + " " * n + "x and " + "1" * n + " y.\n", _import, 5_000),
    # importer.COMPUTE_HEADER: `GPU hours.*Power.*Carbon` retried every `Power`
    Family("compute-header", lambda n: "| GPU hours " + "Power " * n + "|\n|---|\n| a |\n", _import, 5_000),
    # rules.TEMPLATE_SYNTAX: `\{\{.*?\}\}` with DOTALL from every `{{` (repro 07)
    Family("template", lambda n: "{{" * n, template_code, 200_000),
    # python_snippet: a near-miss run of unary operators, many times over
    Family("operators", lambda n: ("- " * 99 + "1\n") * n, _snippet, 100),
    # plain_cell: `\s*[(]` from every space of a cell
    Family("cell-spaces", lambda n: "1" + " " * n + "x", plain_cell, 200_000),
    # header_key: `[(][^)]*[)]` from every `(` of a cell
    Family("cell-parens", lambda n: "(" * n, header_key, 200_000),
]


def _best(family: Family, size: int) -> float:
    text = family.make(size)
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        family.run(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_doubling_the_input_at_most_about_doubles_the_time(family: Family) -> None:
    _best(family, family.n // 4)  # warm caches and lazy imports
    for _ in range(ATTEMPTS):  # a busy machine can slow one measurement; a quadratic scan fails them all
        small, large = _best(family, family.n), _best(family, 2 * family.n)
        ratio = large / max(small, FLOOR)
        if ratio < MAX_RATIO:
            return
    pytest.fail(f"{family.name}: {small * 1000:.1f} ms -> {large * 1000:.1f} ms (x{ratio:.1f})")


def test_email_placeholder_with_no_break_spaces_is_not_exponential() -> None:
    """`(?:\\s|\\u00a0)*` matched each no-break space two ways: 2^n tries before failing."""
    text = "# T\n\n[email" + "\u00a0" * 40 + "protectex]\n"
    start = time.perf_counter()
    _lint(text)
    assert time.perf_counter() - start < 1.0


def test_broken_bibtex_entries_do_not_flood_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    """bibtexparser logs a warning per block it cannot parse; they are findings, not stderr lines."""
    findings = _lint("# T\n\n" + "@misc{x}\n" * 20).findings
    assert [f.code for f in findings].count("lint-citation-invalid") == 20
    assert capfd.readouterr().err == ""
