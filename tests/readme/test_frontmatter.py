"""The one front-matter splitter (cardkit.readme.frontmatter) against huggingface_hub's own parsing.

lint, import and check used to split `---` blocks three ways; each case in TRICKY is one where at
least one of them disagreed with the Hub. Now all three must read what `metadata_load` (files,
`utf-8-sig`) and `RepoCard` (strings) read: the same block, the same data, the body on the same line.
"""

from __future__ import annotations

from pathlib import Path

import huggingface_hub.repocard as repocard
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardkit.importing.readme import front_matter as import_front_matter
from cardkit.lint.engine import lint_text
from cardkit.readme.frontmatter import (
    BOM,
    HUB_YAML_BLOCK,
    NOT_A_MAPPING,
    read_front_matter,
    split_front_matter,
)
from cardkit.readme.parse import parse
from cardkit.repo.check import CheckOptions, check_repo

TRICKY = {
    "plain": "---\nlicense: mit\n---\n# T\n",
    "crlf": "---\r\nlicense: mit\r\nlanguage:\r\n- en\r\n---\r\n# T\r\n",
    "cr-only": "---\rlicense: mit\r---\r# T\r",
    "cr-only-at-end": "---\rlicense: mit\r---",
    "bom": BOM + "---\nlicense: mit\n---\n# T\n",
    "dashes-in-body-code": "---\nlicense: mit\n---\n```yaml\n---\nlicense: gpl\n---\n```\n",
    "dashes-in-yaml-block-scalar": "---\nlicense: mit\nnote: |\n  a\n  ---\n  b\n---\n# T\n",
    "no-closing-fence": "---\nlicense: mit\n# T\n",
    "closed-by-dots": "---\nlicense: mit\n...\n# T\n",
    "empty-no-line-between": "---\n---\n# T\n",
    "empty-blank-line": "---\n\n---\n# T\n",
    "leading-blank-lines": "\n\n---\nlicense: mit\n---\n# T\n",
    "indented-opening": "  ---\nlicense: mit\n---\n# T\n",
    "spaces-after-opening": "---  \nlicense: mit\n---\n# T\n",
    "spaces-after-closing": "---\nlicense: mit\n---  \t\n# T\n",
    "closing-is-four-dashes": "---\nlicense: mit\n----\n# T\n",
    "no-final-newline": "---\nlicense: mit\n---",
    "heading-first": "# T\n---\nlicense: mit\n---\n",
    "comment-only": "---\n# nothing\n---\n# T\n",
    "unicode": "---\nlicense: mit\nmodel_name: 模型 😀\n---\n# T\n",
}


def test_the_pattern_is_huggingface_hubs() -> None:
    """The copy must be the installed library's pattern: a Hub upgrade that changes it fails here."""
    assert HUB_YAML_BLOCK.pattern == repocard.REGEX_YAML_BLOCK.pattern
    assert HUB_YAML_BLOCK.flags == repocard.REGEX_YAML_BLOCK.flags


def _hub_file(tmp_path: Path, text: str) -> dict | None:
    """What huggingface_hub reads from the file as metadata, None when it finds no block.

    `RepoCard.load` reads with utf-8-sig and keeps line breaks as they are (`newline=""`), which is
    what cardkit does; `metadata_load` also strips the BOM but lets Python translate line breaks, so
    it is held to the same answer only for files without a lone CR (there it finds a block that
    `RepoCard.load` does not; cardkit follows `RepoCard`, the card object the Hub library loads).
    """
    path = tmp_path / "README.md"
    path.write_bytes(text.encode("utf-8"))
    card = repocard.RepoCard.load(path)
    content = text.removeprefix(BOM)
    found = card.data.to_dict() if len(card.text) < len(content) else None
    if "\r" not in content.replace("\r\n", ""):
        assert repocard.metadata_load(path) == (found or None)  # it returns None for an empty block
    return found


def _hub_string(text: str) -> str:
    """The body `RepoCard` keeps of a string: everything after the block."""
    return repocard.RepoCard(text).text


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_split_and_data_match_the_hub(tmp_path: Path, text: str) -> None:
    hub = _hub_file(tmp_path, text)
    ours = read_front_matter(text, "README.md")
    assert (ours is None) == (hub is None)
    if ours is None:
        return
    assert ours.findings == []
    assert ours.data == hub
    if not text.startswith(BOM):
        assert _hub_string(text) == text[ours.block.body_offset :]


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_lint_import_and_check_read_what_the_hub_reads(tmp_path: Path, text: str) -> None:
    hub = _hub_file(tmp_path, text)
    doc = parse(text, "README.md")
    assert doc.front_matter == hub
    assert doc.front_matter_problem is None
    if hub:
        meta = import_front_matter(doc)
        assert {k: v for k, v in meta.items() if k != "results"} == hub
    (tmp_path / "README.md").write_text(text.removeprefix(BOM), encoding="utf-8", newline="")
    codes = {f.code for f in check_repo(tmp_path, CheckOptions(model=False)).findings}
    assert ("check-front-matter-missing" in codes) == (hub is None)
    assert ("check-license-missing" in codes) == (hub is not None and "license" not in hub)


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_the_body_starts_on_the_line_after_the_closing_fence(text: str) -> None:
    doc = parse(text, "README.md")
    block = split_front_matter(text)
    if block is None:
        assert doc.front_matter_lines == 0
        return
    body = text.removeprefix(BOM)[block.body_offset :]
    if block.lines < len(doc.lines):
        assert doc.lines[block.lines] == body.replace("\r\n", "\n").replace("\r", "\n").split("\n")[0]
    assert doc.lines[block.lines - 1].strip() == "---"
    assert doc.lines[block.first_line - 2].strip().removeprefix(BOM) == "---"


def test_problems_are_on_the_readme_line_of_the_yaml() -> None:
    """Line numbers count from the README, also when blank lines come before the opening fence."""
    text = "\n\n---\nlicense: mit\nlanguage: en\nlanguage: zh\n---\n# T\n"
    loaded = read_front_matter(text, "README.md")
    assert loaded is not None and loaded.block.first_line == 4
    assert [(f.code, f.line) for f in loaded.findings] == [("yaml-duplicate-key", 6)]
    assert loaded.position(("license",)) == (4, 1)
    listed = read_front_matter("---\n- a\n- b\n---\n", "README.md")
    assert listed is not None and listed.data is None and listed.findings == []
    assert listed.problem == listed.not_a_mapping == (2, NOT_A_MAPPING)


FRAGMENTS = st.sampled_from(
    ["---", "...", "----", "\n", "\r\n", "\r", " ", "\t", "license: mit", "language: en", "# T", "```", BOM]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(FRAGMENTS, max_size=14).map("".join))
def test_any_arrangement_of_fences_splits_as_the_hub_does(tmp_path: Path, text: str) -> None:
    try:
        hub = _hub_file(tmp_path, text)
    except (ValueError, yaml.YAMLError):  # the Hub rejects the block's YAML: ours must not load it either
        loaded = read_front_matter(text, "README.md")
        assert loaded is not None and loaded.data is None
        return
    loaded = read_front_matter(text, "README.md")
    assert (loaded is None) == (hub is None)
    if loaded is not None and not loaded.findings:
        assert loaded.data == hub


UNREAD = ["no-closing-fence", "closed-by-dots", "spaces-after-opening", "empty-no-line-between"]


@pytest.mark.parametrize("name", UNREAD)
def test_lint_reports_a_block_the_hub_does_not_read(name: str) -> None:
    """The author opened front matter the Hub reads as none: lint says so instead of skipping it."""
    findings = lint_text(TRICKY[name]).findings
    assert [(f.code, f.line) for f in findings if f.code == "lint-front-matter-invalid"] == [
        ("lint-front-matter-invalid", 1)
    ]
