"""The one split of a README's YAML front matter from its body, exactly as huggingface_hub splits it.

lint, import and check each used to find the `---` block their own way (lines stripped or not, `...`
accepted as a closing fence or not, leading blank lines refused), so one README could have metadata
for one command and none for another, and neither agreed with the Hub. Now all three call
`read_front_matter`, which splits with the Hub's own pattern and loads the block with the card
loader's protections (no aliases or tags, bounded nesting, dates as text, every problem a finding on
its README line).

The pattern is a copy of `huggingface_hub.repocard.REGEX_YAML_BLOCK`: importing `huggingface_hub`
costs about 100 ms, more than the rest of lint's start-up together, so it is not imported here;
tests/readme/test_frontmatter.py asserts the copy equals the installed library's pattern (drift fails the
suite) and compares the split with `RepoCard` and `metadata_load` on tricky inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cardkit.card.codes import YAML_BAD_VALUE
from cardkit.card.yaml_source import FieldPath, LoadedYaml, load_yaml
from cardkit.core.findings import Finding, Severity

HUB_YAML_BLOCK = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")
"""huggingface_hub.repocard.REGEX_YAML_BLOCK (1.x and 2.x), character for character: an opening
`---` on the first non-blank line, the YAML, and the first later line that is `---` (trailing spaces
allowed). `...` does not close it, and a block with no line between its fences is no block."""
BOM = "\ufeff"
"""huggingface_hub reads a card with `utf-8-sig`, so a leading byte-order mark is not part of it."""
_BREAK = re.compile(r"\r\n|\r|\n")
"""Line breaks as `Document` counts them (CRLF, CR and LF each end one line)."""
_OPENING = re.compile(r"\s*---[ \t]*(?:\r\n|\r|\n|$)")


@dataclass(frozen=True)
class FrontMatterBlock:
    """Where the Hub finds the front matter: the YAML text and the README lines it spans."""

    yaml: str
    """The text between the fences, line breaks as in the file."""
    first_line: int
    """README line (1-based) of the YAML's first line: the line after the opening `---`."""
    lines: int
    """README lines the block takes, both fences included: the body starts on line `lines + 1`."""
    body_offset: int
    """Offset in the text (after any byte-order mark) where the body starts."""


def split_front_matter(text: str) -> FrontMatterBlock | None:
    """The block huggingface_hub reads as metadata, or None where the Hub sees none."""
    text = text.removeprefix(BOM)
    match = HUB_YAML_BLOCK.search(text)
    if match is None:
        return None
    breaks = len(_BREAK.findall(text, 0, match.end()))
    return FrontMatterBlock(
        yaml=match.group(2),
        first_line=len(_BREAK.findall(match.group(1))) + 1,
        lines=breaks + (0 if match.group(4) else 1),
        body_offset=match.end(),
    )


def opens_front_matter(text: str) -> bool:
    """The first non-blank line is `---`: the author meant a block, whether or not the Hub finds one
    (a block never closed, or one whose closing fence is `...`)."""
    return _OPENING.match(text.removeprefix(BOM)) is not None


@dataclass
class FrontMatter:
    """The front matter as loaded: `data` is the mapping the Hub would show, None when it shows none."""

    block: FrontMatterBlock
    data: dict[str, Any] | None
    loaded: LoadedYaml | None
    """Key positions, for findings at a key's line; None when loading failed outright."""
    findings: list[Finding] = field(default_factory=list)
    """What the card loader reports about the YAML, on README lines (a list or a scalar where the
    mapping belongs is `not_a_mapping`, for each command to report under its own code)."""

    @property
    def problem(self) -> tuple[int, str] | None:
        """(README line, why) when the block does not load as a mapping; None when it does."""
        if self.data is not None:
            return None
        first = next((f for f in self.findings if f.severity is Severity.ERROR), None)
        return ((first.line or self.block.first_line), first.message) if first else self.not_a_mapping

    @property
    def not_a_mapping(self) -> tuple[int, str] | None:
        """(README line, why) when the YAML loaded, but as a list or a scalar: the Hub rejects it."""
        loaded_other = self.data is None and self.loaded is not None and self.loaded.data is not None
        return (self.block.first_line, NOT_A_MAPPING) if loaded_other else None

    def position(self, path: FieldPath) -> tuple[int, int]:
        """README (line, column) of the key at `path`; the opening fence when it is not known."""
        pos = self.loaded.source_map.locate(path) if self.loaded is not None else None
        if pos is None:
            return 1, 1
        return pos.line + self.block.first_line - 1, pos.column


NOT_A_MAPPING = "front matter is not a YAML mapping of metadata keys"
NOT_A_BLOCK = (
    "the README opens a `---` block the Hub does not read as front matter: the opening line and a"
    " later closing line must be exactly `---` (`...` does not close it)"
)
"""Why `opens_front_matter` holds but `split_front_matter` finds nothing; lint and check both say it."""


def read_front_matter(text: str, path: str) -> FrontMatter | None:
    """Split and load the front matter; None when the Hub finds no block. Never raises: a value that
    cannot be converted, a syntax error or a list where a mapping belongs is a finding. An empty
    block is an empty mapping, as on the Hub."""
    block = split_front_matter(text)
    if block is None:
        return None
    try:
        loaded = load_yaml(block.yaml, path)
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # only if the loader misses one
        why = f"front matter holds a value that cannot be converted: {type(exc).__name__}: {exc}"
        finding = YAML_BAD_VALUE.finding(why[:300], path, block.first_line, 1)
        return FrontMatter(block, None, None, [finding])
    findings = [_shift(f, block.first_line - 1) for f in loaded.findings]
    if loaded.data is None and not any(f.severity is Severity.ERROR for f in findings):
        return FrontMatter(block, {}, loaded, findings)  # `yaml.safe_load` of an empty block: None
    if not isinstance(loaded.data, dict):
        return FrontMatter(block, None, loaded, findings)
    return FrontMatter(block, loaded.data, loaded, findings)


def _shift(finding: Finding, lines: int) -> Finding:
    if finding.line is None or not lines:
        return finding
    return Finding(**{**finding.__dict__, "line": finding.line + lines})


__all__ = [
    "BOM",
    "HUB_YAML_BLOCK",
    "NOT_A_BLOCK",
    "NOT_A_MAPPING",
    "FrontMatter",
    "FrontMatterBlock",
    "opens_front_matter",
    "read_front_matter",
    "split_front_matter",
]
