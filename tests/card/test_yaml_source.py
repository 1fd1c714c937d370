from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from cardkit.card import yaml_source
from cardkit.card.yaml_prescan import prescan
from cardkit.card.yaml_source import MAX_DEPTH, load_yaml, read_text
from tests.helpers import CARDS_DIR, FIXTURES

LOADERS = [yaml_source.PureCardLoader, yaml_source.CardLoader]


@pytest.fixture(params=LOADERS, ids=["pure-python", "libyaml"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> type:
    """Each test that takes this runs with the pure-Python parser and with libyaml's (when built)."""
    if request.param is yaml_source.CardLoader and not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML was built without libyaml")
    monkeypatch.setattr(yaml_source, "SAFE_LOADER", request.param)
    return request.param


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


def test_aliases_are_rejected_before_construction(loader: type) -> None:
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


DEEP = {  # case: (text, line of the first level past the limit)
    "flow": ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", 1),
    "flow-mappings": ("a: " + "{b: " * 5_000 + "1" + "}" * 5_000 + "\n", 1),
    "compact-sequences": ("a:\n  " + "- " * 100_000 + "x\n", 2),
    "block-mappings": ("".join(" " * i + f"k{i}:\n" for i in range(1_500)), MAX_DEPTH + 1),
    "flow-pairs": ("a: " + "[b: " * 2_000 + "c" + "]" * 2_000 + "\n", 1),
    "flow-keys": ("[" * 2_000 + "]" * 2_000 + ": x\n", 1),
}


@pytest.mark.parametrize("case", sorted(DEEP))
def test_deep_nesting_is_refused_before_the_composer_recurses(case: str, loader: type) -> None:
    """The same finding whichever parser PyYAML was built with: libyaml refuses depth 1,000 itself."""
    text, line = DEEP[case]
    loaded = load_yaml(text, "f.yaml")
    assert [(f.code, f.line) for f in loaded.findings] == [("yaml-too-deep", line)]
    assert loaded.data is None


def test_nesting_at_the_limit_is_accepted(loader: type) -> None:
    text = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert load_yaml(text, "f.yaml").findings == []
    assert [f.code for f in load_yaml("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH, "f.yaml").findings] == [
        "yaml-too-deep"
    ]


def test_brackets_in_text_are_not_nesting(loader: type) -> None:
    """Quoted, plain, block and comment text may hold any brackets; only structure counts."""
    brackets = "[[[[" * 40
    text = (
        f"a: '{brackets}'\nb: \"{brackets}\"\nc: x {brackets}\n# {brackets}\n"
        f"d: |\n  {brackets}\n  - - - - -\ne: >-\n  {brackets}\n"
    )
    loaded = load_yaml(text, "f.yaml")
    assert loaded.findings == []
    assert loaded.data["a"] == brackets


def _parser_depth(text: str) -> int | None:
    depth = deepest = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            return None
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            deepest = max(deepest, depth)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
    return deepest


def test_prescan_depth_is_the_parsers_on_every_card() -> None:
    """Refused at one level below the parser's depth, accepted at it: the pre-scan counts exactly."""
    paths = sorted(CARDS_DIR.glob("*/card.yaml")) + sorted((FIXTURES / "bad").glob("*/card.yaml"))
    checked = 0
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            depth = _parser_depth(text)
        except yaml.YAMLError:
            continue
        if depth is None:  # refused for its aliases
            continue
        assert prescan(text, depth) is None, path
        assert depth == 0 or prescan(text, depth - 1) is not None, path
        checked += 1
    assert checked > 40


@pytest.mark.parametrize(
    "unit", ["- x\n", "k: v\n", "[a: b, ", "x, ", "a b ", "'q'' ", "  line [ {\n", "\n"]
)
def test_prescan_time_is_linear(unit: str) -> None:
    """Doubling an input at most about doubles the pre-scan's time (best of three runs each)."""

    def best(text: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            prescan(text, MAX_DEPTH)
            times.append(time.perf_counter() - start)
        return min(times)

    prefix = "a: |\n" if unit.startswith("  line") else ("a: [" if unit in ("[a: b, ", "x, ") else "")
    small = prefix + unit * 5_000
    large = prefix + unit * 10_000
    assert best(large) < 3 * best(small) + 0.01


def test_bom_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    text, findings = read_text(path, "card.yaml")
    assert text == "a: 1\n"
    assert [f.code for f in findings] == ["yaml-bom"]


REFUSED_VALUES = {  # text: (code, line, column, field)
    "a: 1\nb: " + "9" * 5_000 + "\n": ("yaml-number-too-long", 2, 4, "b"),
    "b: " + ":".join(["1"] * 2_000) + "\n": ("yaml-number-too-long", 1, 4, "b"),
    "a:\n  b: !!float abc\n": ("yaml-bad-value", 2, 6, "a.b"),
    "b: !!int abc\n": ("yaml-bad-value", 1, 4, "b"),
    "b: !!bool maybe\n": ("yaml-bad-value", 1, 4, "b"),
    "b: 0b_\n": ("yaml-bad-value", 1, 4, "b"),
    "b: [1, !!binary //4AYWJj]\n": ("yaml-not-json", 1, 8, "b[1]"),
    "b: !!set {a: null}\n": ("yaml-not-json", 1, 4, "b"),
    "b: !!omap [a: 1]\n": ("yaml-not-json", 1, 4, "b"),
    "b: !!pairs [a: 1]\n": ("yaml-not-json", 1, 4, "b"),
    "? !!binary AAAA\n: x\n": ("yaml-not-json", 1, 3, "AAAA"),
    "b: !local x\n": ("yaml-unsafe-tag", 1, 4, "b"),
}


@pytest.mark.parametrize("text", sorted(REFUSED_VALUES), ids=lambda t: t[:24])
def test_values_that_are_not_json_data_are_located_findings(text: str, loader: type) -> None:
    """Bytes, sets, pairs and unconvertible numbers never reach the schema, the cache or --format json."""
    loaded = load_yaml(text, "f.yaml")
    assert loaded.data is None
    assert [(f.code, f.line, f.column, f.field) for f in loaded.findings] == [REFUSED_VALUES[text]]


ACCEPTED_VALUES = {
    "a: 9223372036854775808\n": {"a": 2**63},
    "a: -0x7fffffffffffffff\n": {"a": -(2**63 - 1)},
    "a: 1.0e+999\nb: 1e999\n": {"a": float("inf"), "b": "1e999"},
    "a: 2023-13-45\nb: 2023-08-23T10:00:00Z\n": {"a": "2023-13-45", "b": "2023-08-23T10:00:00Z"},
    "a: =\n": {"a": "="},
    "a: {x: 1}\nb:\n  <<: {x: 1}\n  y: 2\n": {"a": {"x": 1}, "b": {"x": 1, "y": 2}},
    "a: !!str 12\nb: !!null ''\nc: !!bool yes\n": {"a": "12", "b": None, "c": True},
    "1: x\n": {1: "x"},
}


@pytest.mark.parametrize("text", sorted(ACCEPTED_VALUES), ids=lambda t: t[:24])
def test_every_other_safe_tag_converts_to_json_data(text: str, loader: type) -> None:
    loaded = load_yaml(text, "f.yaml")
    assert loaded.findings == []
    assert loaded.data == ACCEPTED_VALUES[text]
    json.dumps(loaded.data)  # what the report cache and --format json do with it
