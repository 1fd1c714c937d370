from __future__ import annotations

from pathlib import Path

from cardkit.yaml_source import load_yaml, read_text


def test_positions_point_at_keys_and_items() -> None:
    loaded = load_yaml("a:\n  b: 1\n  c:\n    - x\n    - y\n", "f.yaml")
    assert loaded.data == {"a": {"b": 1, "c": ["x", "y"]}}
    assert loaded.source_map.locate(("a", "b")).line == 2
    assert loaded.source_map.locate(("a", "c", 1)).line == 5
    # a missing field is located at its nearest existing parent
    assert loaded.source_map.locate(("a", "missing", "deeper")).line == 1


def test_duplicate_key_is_reported_at_second_occurrence() -> None:
    loaded = load_yaml("a: 1\nb: 2\na: 3\n", "f.yaml")
    [finding] = loaded.findings
    assert (finding.code, finding.line, finding.field) == ("yaml-duplicate-key", 3, "a")
    assert "line 1" in finding.message


def test_aliases_are_rejected_before_construction() -> None:
    bomb = 'a: &a ["x", "x"]\nb: &b [*a, *a]\nc: &c [*b, *b]\n'
    loaded = load_yaml(bomb, "f.yaml")
    assert loaded.data is None
    assert {f.code for f in loaded.findings} == {"yaml-alias"}


def test_syntax_error_has_line_and_column() -> None:
    loaded = load_yaml("a: 1\nb: [1, 2\nc: 3\n", "f.yaml")
    [finding] = loaded.findings
    assert finding.code == "yaml-syntax"
    assert finding.line == 3


def test_python_tags_are_refused_by_the_safe_loader() -> None:
    loaded = load_yaml("a: !!python/object/apply:os.system ['true']\n", "f.yaml")
    assert [f.code for f in loaded.findings] == ["yaml-unsafe-tag"]


def test_non_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    text, findings = read_text(path, "card.yaml")
    assert text is None
    assert [(f.code, f.line, f.column) for f in findings] == [("file-not-utf8", 2, 7)]


def test_deep_nesting_is_refused_before_the_composer_recurses() -> None:
    loaded = load_yaml("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "f.yaml")
    assert [(f.code, f.line) for f in loaded.findings] == [("yaml-too-deep", 1)]


def test_bom_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    text, findings = read_text(path, "card.yaml")
    assert text == "a: 1\n"
    assert [f.code for f in findings] == ["yaml-bom"]
