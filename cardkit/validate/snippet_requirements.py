"""What a card's snippets need installed, read from their code, against the requirements it states.

A card that says `transformers>=4.40` above a snippet passing `dtype=` (a keyword transformers
accepts only since 4.56) shows the reader code that fails with a TypeError on the version it
promises; a snippet with `device_map="auto"` fails without accelerate. The snippet's code is the
truth about what it needs: each import and each keyword with a known minimum is a requirement, and
the card's list (plus the snippet's own extras) must allow nothing older.

The table below is data: one row per API feature whose minimum matters, with the release that
introduced it. It is checked empirically by the snippet test, which runs every shipped snippet on
the stated minimum versions in a throw-away environment.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from cardkit.core.findings import Finding
from cardkit.core.python_snippet import SnippetError, parse_snippet
from cardkit.validate.codes import (
    USAGE_REQUIREMENT_INVALID,
    USAGE_REQUIREMENT_MISSING,
    USAGE_REQUIREMENT_TOO_OLD,
)

if TYPE_CHECKING:
    from cardkit.card.load import CheckedCard


@dataclass(frozen=True)
class Need:
    """One requirement a snippet's code implies, and where in the snippet it comes from."""

    package: str
    minimum: Version | None
    why: str
    line: int


IMPORTED_PACKAGES: dict[str, str] = {
    "torch": "torch",
    "transformers": "transformers",
    "accelerate": "accelerate",
    "flash_attn": "flash-attn",
    "bitsandbytes": "bitsandbytes",
    "peft": "peft",
    "safetensors": "safetensors",
    "sentencepiece": "sentencepiece",
    "huggingface_hub": "huggingface-hub",
    "optimum": "optimum",
    "auto_gptq": "auto-gptq",
    "awq": "autoawq",
}
"""Top-level module imported by a snippet -> the distribution a reader installs for it."""

KEYWORD_MINIMUMS: dict[str, tuple[str, str, str]] = {
    "dtype": ("transformers", "4.56.0", "`dtype=` replaced `torch_dtype=` in transformers 4.56"),
    "attn_implementation": (
        "transformers",
        "4.36.0",
        "`attn_implementation=` exists since transformers 4.36",
    ),
    "device_map": ("accelerate", "", "`device_map=` places weights with accelerate"),
    "load_in_8bit": ("bitsandbytes", "", "8-bit loading needs bitsandbytes"),
    "load_in_4bit": ("bitsandbytes", "", "4-bit loading needs bitsandbytes"),
}
"""Keyword of a `from_pretrained(...)` call -> (package, minimum version or "", why)."""

ATTENTION_PACKAGES: dict[str, tuple[str, str]] = {
    "flash_attention_2": ("flash-attn", "`attn_implementation=\"flash_attention_2\"` needs flash-attn"),
    "flash_attention_3": ("flash-attn", "`attn_implementation=\"flash_attention_3\"` needs flash-attn 3"),
}
"""Value of `attn_implementation=` -> the package that implements it."""


def snippet_needs(tree: ast.AST) -> list[Need]:
    """Every requirement the snippet's imports and `from_pretrained` keywords imply, in code order."""
    needs: list[Need] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            needs += [_imported(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            needs.append(_imported(node.module, node.lineno))
        elif isinstance(node, ast.Call) and _is_from_pretrained(node):
            needs += list(_keyword_needs(node))
    return sorted((n for n in needs if n.package), key=lambda n: n.line)


def _imported(module: str, line: int) -> Need:
    package = IMPORTED_PACKAGES.get(module.split(".")[0], "")
    return Need(package, None, f"the snippet imports `{module}`", line)


def _is_from_pretrained(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr == "from_pretrained"


def _keyword_needs(call: ast.Call) -> Iterator[Need]:
    """The keywords' requirements, and torch for a model class (transformers runs it on PyTorch)."""
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    if isinstance(receiver, ast.Name) and ("Model" in receiver.id or "For" in receiver.id):
        yield Need("torch", None, f"`{receiver.id}` runs on PyTorch", call.lineno)
    for keyword in call.keywords:
        if keyword.arg in KEYWORD_MINIMUMS:
            package, minimum, why = KEYWORD_MINIMUMS[keyword.arg]
            yield Need(package, Version(minimum) if minimum else None, why, keyword.lineno)
        value = keyword.value.value if isinstance(keyword.value, ast.Constant) else None
        if keyword.arg == "attn_implementation" and isinstance(value, str) and value in ATTENTION_PACKAGES:
            package, why = ATTENTION_PACKAGES[value]
            yield Need(package, None, why, keyword.lineno)


@dataclass(frozen=True)
class Stated:
    """One requirement string of the card, parsed, with the card field it was read from."""

    requirement: Requirement
    field_path: tuple[str | int, ...]

    @property
    def name(self) -> str:
        return canonicalize_name(self.requirement.name)

    def lowest(self) -> Version | None:
        """The oldest version the specifier admits, when it states a lower bound at all."""
        bounds = [
            Version(spec.version)
            for spec in self.requirement.specifier
            if spec.operator in (">=", ">", "==", "~=", "===") and "*" not in spec.version
        ]
        return max(bounds) if bounds else None


def parse_requirements(
    lines: list[str], field_path: tuple[str | int, ...]
) -> tuple[list[Stated], list[tuple[tuple[str | int, ...], str]]]:
    """The requirements at `field_path` that parse as PEP 508, and (field, reason) for each that
    does not."""
    stated: list[Stated] = []
    invalid: list[tuple[tuple[str | int, ...], str]] = []
    for index, line in enumerate(lines):
        try:
            stated.append(Stated(Requirement(line), (*field_path, index)))
        except InvalidRequirement as exc:
            invalid.append(((*field_path, index), str(exc).splitlines()[0]))
    return stated, invalid


@dataclass(frozen=True)
class Problem:
    """A need the stated requirements do not meet: `stated` is None when the package is missing."""

    need: Need
    stated: Stated | None


def _stricter(need: Need, than: Need) -> bool:
    return need.minimum is not None and (than.minimum is None or need.minimum > than.minimum)


def unmet(needs: list[Need], stated: list[Stated]) -> list[Problem]:
    """One problem per package the needs name: missing from `stated`, or stated with a lower bound
    older than the highest minimum the snippet's code implies.

    A package stated without a lower bound installs its newest release, which meets any minimum.
    """
    by_name = {s.name: s for s in stated}
    strictest: dict[NormalizedName, Need] = {}
    for need in needs:
        package = canonicalize_name(need.package)
        held = strictest.get(package)
        if held is None or _stricter(need, held):
            strictest[package] = need
    problems: list[Problem] = []
    for package, need in strictest.items():
        have = by_name.get(package)
        if have is None:
            problems.append(Problem(need, None))
        elif need.minimum is not None and (low := have.lowest()) is not None and low < need.minimum:
            problems.append(Problem(need, have))
    return problems


def snippets_have_their_requirements(loaded: CheckedCard) -> Iterator[Finding]:
    """What each snippet's code needs installed must be stated, at a version that has it."""
    usage = loaded.card.usage
    stated, invalid = parse_requirements(usage.requirements, ("usage", "requirements"))
    reported: set[tuple[str | int, ...]] = set()
    for index, snippet in enumerate(usage.snippets):
        extra, bad = parse_requirements(snippet.requirements, ("usage", "snippets", index, "requirements"))
        invalid += bad
        if snippet.language != "python":
            continue
        try:
            tree = parse_snippet(snippet.code)
        except SnippetError:
            continue  # usage-snippet-syntax reports it
        for problem in unmet(snippet_needs(tree), stated + extra):
            if problem.stated is None or problem.stated.field_path not in reported:
                yield _requirement_finding(loaded, index, problem)
            if problem.stated is not None:  # a too-old line of the card is reported once, not per snippet
                reported.add(problem.stated.field_path)
    for where, reason in invalid:
        yield loaded.finding(USAGE_REQUIREMENT_INVALID, f"not a pip requirement: {reason}", where)


def _requirement_finding(loaded: CheckedCard, index: int, problem: Problem) -> Finding:
    need = problem.need
    wanted = need.package + (f">={need.minimum}" if need.minimum else "")
    if problem.stated is None:
        return loaded.finding(
            USAGE_REQUIREMENT_MISSING,
            f"snippet {index + 1} needs {need.package} ({need.why}); neither usage.requirements nor"
            " the snippet's requirements list it",
            ("usage", "snippets", index, "code"),
            expected=wanted,
            line_offset=need.line,
        )
    stated = str(problem.stated.requirement)
    return loaded.finding(
        USAGE_REQUIREMENT_TOO_OLD,
        f"{stated!r} admits {problem.stated.lowest()}, but snippet {index + 1} needs {wanted}: {need.why}",
        problem.stated.field_path,
        expected=wanted,
        actual=stated,
    )
