"""The finding-code registry: declared once, emitted only through it, explained, renames redirected."""

from __future__ import annotations

import ast
import copy
import json
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cardkit.cli import main
from cardkit.core import codes
from cardkit.core.codes import ERROR, INFO, WARNING, Code, Registry, load_catalogue
from cardkit.lint.engine import lint_text
from tests.helpers import ROOT

REGISTRY = load_catalogue()
PACKAGE = ROOT / "cardkit"
SOURCES = sorted(PACKAGE.rglob("*.py"))
DECLARING_CALLS = {"declare", "lint_rule", "lookup", "resolve", "redirect"}
"""Registry calls whose first argument may be a code id literal: each refuses an undeclared one."""
FINDING_CONSTRUCTORS = {
    "cardkit/core/codes.py": "Code.finding, the one place a finding gets its code and severity",
    "cardkit/validate/report_cache.py": "findings read back from the report cache, as they were stored",
    "cardkit/readme/frontmatter.py": "a finding moved down by the front matter's first line (fields copied)",
}


CODE_SHAPED = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _is_declared_id(value: str) -> bool:
    return value in REGISTRY.codes or value in REGISTRY.redirects or REGISTRY.get(value) is not None


def test_registry_holds_every_kind_of_code() -> None:
    ids = set(REGISTRY.codes)
    for expected in ("config-mismatch", "checkpoint-not-found", "lint-mirror-url", "internal-error", "todo"):
        assert expected in ids
    assert len(ids) >= 170
    assert all(isinstance(code, Code) for code in REGISTRY)


def test_a_duplicate_id_is_refused_at_declaration() -> None:
    registry = Registry()
    registry.declare("x-one", ERROR, "one", "the first")
    with pytest.raises(ValueError, match="declared twice"):
        registry.declare("x-one", WARNING, "again", "the second")
    with pytest.raises(ValueError, match="declared twice"):
        codes.declare("config-mismatch", ERROR, "copied", "a second declaration of a real code")


def test_a_declaration_needs_a_one_line_summary_and_an_explanation() -> None:
    registry = Registry()
    with pytest.raises(ValueError, match="summary"):
        registry.declare("x-two", ERROR, "two\nlines", "text")
    with pytest.raises(ValueError, match="summary"):
        registry.declare("x-three", ERROR, "one line", "   ")


def test_every_code_is_explained() -> None:
    for code in REGISTRY:
        assert code.summary and "\n" not in code.summary, code
        assert len(code.explanation) >= 60, f"{code}: explain what it means and how to fix it"
        assert code.severity in code.severities


def test_lint_rules_are_declared_with_their_docstrings() -> None:
    from cardkit.lint import RULES

    for rule_id, rule in RULES.items():
        assert REGISTRY.codes[rule_id] is rule.code
        assert rule.code.explanation == codes.cleandoc(rule.check.__doc__ or "")
        assert rule.code.severity is rule.severity


def test_a_finding_gets_its_severity_from_the_declaration() -> None:
    registry = Registry()
    warn = registry.declare("x-warn", WARNING, "a warning", "explained")
    finding = warn.finding("message", "card.yaml", 3, 4, "a.b", expected=1, actual=2)
    assert (finding.code, finding.severity, finding.line, finding.field) == ("x-warn", WARNING, 3, "a.b")
    assert type(finding.code) is str  # the Finding holds the plain id, never the declaration
    with pytest.raises(ValueError, match="not declared with severity error"):
        warn.finding("message", "card.yaml", severity=ERROR)


def test_a_second_severity_must_be_declared() -> None:
    assert codes.lookup("config-remote-code").severities == {INFO, ERROR}
    registry = Registry()
    both = registry.declare("x-both", INFO, "usually a note", "explained", also=(ERROR,))
    assert both.finding("m", "f").severity is INFO
    assert both.finding("m", "f", severity=ERROR).severity is ERROR


def test_a_code_is_its_id_and_copies_as_plain_text() -> None:
    code = codes.INTERNAL_ERROR
    assert code == "internal-error" and hash(code) == hash("internal-error")
    assert json.dumps({"code": code}) == '{"code": "internal-error"}'
    for copied in (copy.deepcopy(code), pickle.loads(pickle.dumps(code))):
        assert type(copied) is str and copied == "internal-error"
    with pytest.raises(AttributeError):
        code.severity = WARNING  # type: ignore[misc]


def test_renamed_codes_redirect_to_their_new_id() -> None:
    registry = Registry()
    new = registry.declare("x-new", ERROR, "the current name", "explained")
    registry.redirect("x-old", "x-new")
    registry.redirect("x-older", "x-old")
    assert registry.resolve("x-older") == "x-new"
    assert registry.lookup("x-old") is new
    with pytest.raises(ValueError, match="declared twice"):
        registry.redirect("x-new", "x-other")
    with pytest.raises(ValueError, match="declared twice"):
        registry.declare("x-old", ERROR, "reuse", "an old id cannot be declared again")


def test_every_redirect_leads_to_a_declared_code() -> None:
    """The project's history renamed no code so far (`git log -p`: every code ever emitted is still
    declared); a redirect added for a future rename must land on a declared code."""
    for old, new in REGISTRY.redirects.items():
        assert REGISTRY.resolve(old) in REGISTRY.codes, (old, new)


def test_the_schema_family_resolves_its_members() -> None:
    member = codes.lookup("schema-extra-forbidden")
    assert member == "schema-extra-forbidden" and member.family == "schema-*"
    assert codes.lookup("schema-not-a-mapping").family is None  # declared on its own
    with pytest.raises(ValueError, match="family"):
        member.family.finding("m", "f")  # type: ignore[union-attr]
    with pytest.raises(KeyError, match="did you mean config-mismatch"):
        codes.lookup("config-mismatc")


def test_every_declaring_module_is_in_the_catalogue() -> None:
    found = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in PACKAGE.rglob("codes.py")
    }
    assert found == set(codes.CATALOGUE_MODULES) - {"cardkit.lint"}


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _code_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """String constants that are finding code ids, less the first argument of a registry call."""
    allowed = {
        id(node.args[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _call_name(node) in DECLARING_CALLS and node.args
    }
    allowed |= {  # names in `__all__` (the importer's `todo` function), not codes
        id(element)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets)
        for element in ast.walk(node.value)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in allowed
        and (_is_declared_id(node.value) or node.value.startswith("schema-"))
    ]


def test_no_code_literal_outside_the_declarations() -> None:
    """A code is named by its declaration (`CONFIG_MISMATCH`), or by id through a registry call
    that refuses an undeclared one; never as a bare string a typo could change unnoticed."""
    literals = [
        f"{_relative(path)}:{line}: {value!r}"
        for path in SOURCES
        if path.name != "codes.py"
        for line, value in _code_literals(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert literals == []


def test_the_literal_scan_finds_a_literal() -> None:
    tree = ast.parse('Finding("config-mismatch", Severity.ERROR, "m", "f")\nlookup("config-mismatch")\n')
    assert _code_literals(tree) == [(1, "config-mismatch")]


def test_findings_are_constructed_only_through_the_registry() -> None:
    constructing = {
        _relative(path)
        for path in SOURCES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Finding"
    }
    assert constructing == set(FINDING_CONSTRUCTORS)


def test_no_finding_helper_is_given_a_code_as_text() -> None:
    """`loaded.finding(...)` and the other helpers take a declared code, never an id string."""
    by_text = [
        f"{_relative(path)}:{node.lineno}"
        for path in SOURCES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and _call_name(node) in {"finding", "_finding", "_error", "add", "warn", "rejection", "_refusal"}
        and any(
            isinstance(arg, ast.Constant) and CODE_SHAPED.fullmatch(str(arg.value)) for arg in node.args[:2]
        )
    ]
    assert by_text == []


def test_registry_id_calls_name_declared_codes() -> None:
    """`lookup("...")` and friends with a literal: the id must exist now, not only when it runs."""
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _call_name(node) in {"lookup", "resolve"} and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    assert REGISTRY.get(arg.value) is not None, f"{_relative(path)}:{node.lineno}"


def test_explain_prints_severity_summary_and_explanation(capsys: pytest.CaptureFixture) -> None:
    assert main(["explain", "checkpoint-shard-missing"]) == 0
    out = capsys.readouterr().out
    code = codes.lookup("checkpoint-shard-missing")
    assert out.startswith("checkpoint-shard-missing (error)\n")
    assert code.summary in out and code.explanation in out


def test_explain_json_and_a_second_severity(capsys: pytest.CaptureFixture) -> None:
    assert main(["explain", "config-remote-code", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["code"] == "config-remote-code"
    assert (data["severity"], data["severities"]) == ("info", ["error", "info"])


def test_explain_an_unknown_code_is_a_usage_error_with_close_matches(capsys: pytest.CaptureFixture) -> None:
    assert main(["explain", "config-mismach"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown finding code 'config-mismach'" in err
    assert "did you mean config-mismatch" in err
    assert main(["explain"]) == 2
    assert main(["explain", "--list", "todo"]) == 2


def test_explain_list_names_every_code(capsys: pytest.CaptureFixture) -> None:
    assert main(["explain", "--list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == sorted(REGISTRY.codes)


def test_explain_and_lint_follow_a_redirect(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setitem(codes.REGISTRY.redirects, "lint-mirror-link", "lint-mirror-url")
    assert main(["explain", "lint-mirror-link"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("lint-mirror-url (error)\nlint-mirror-link was renamed to lint-mirror-url\n")
    text = "# m\n\nSee https://hf-mirror.com/a/b for the weights.\n"
    assert "lint-mirror-url" in {f.code for f in lint_text(text).findings}
    disabled = text + "<!-- cardkit-lint disable=lint-mirror-link -->\n"
    assert "lint-mirror-url" not in {f.code for f in lint_text(disabled).findings}


def test_the_catalogue_imports_no_torch() -> None:
    code = (
        "import sys; from cardkit.core.codes import load_catalogue; load_catalogue(); "
        "assert not {'torch', 'transformers'} & set(sys.modules), 'heavy import'"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
