"""Write imported results into a card's text, touching only the evaluation lines that change.

PyYAML cannot keep comments, and ruamel.yaml would be a second YAML library beside the one every
other path reads cards with; so the card's text is edited line by line at positions taken from
cardkit/card/yaml_source.py's source map (new items appended after the last one, a forced replacement
swapping one item's lines), and the result is parsed back and compared with the intended data
before it is written. Comments and key order outside the replaced items stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cardkit.card.dump import _CardDumper
from cardkit.card.load import LoadedCard, load_card
from cardkit.card.yaml_source import MAX_CARD_BYTES, FieldPath, load_yaml
from cardkit.core.errors import CardkitError
from cardkit.core.findings import Finding
from cardkit.core.safe_io import read_text_bounded
from cardkit.evaluation.codes import EVAL_IMPORT_CONFLICT
from cardkit.evaluation.harness import HarnessRun
from cardkit.schema import Card

COMPARED = (
    ("metric", "value"),
    ("few_shot",),
    ("metric", "stderr"),
    ("metric", "scale"),
    ("metric", "type"),
    ("dataset", "type"),
    ("dataset", "config"),
)
"""What makes an imported result the same as the card's result of that id."""
SUMMARY_COMPARED = (("value",), ("of",), ("weights",))


@dataclass
class Merge:
    """The card's new text (None when nothing changes) and what the import did to each result."""

    text: str | None = None
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Finding] = field(default_factory=list)


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _dump(data: Any, indent: int) -> list[str]:
    """Block-style YAML of `data`, each line indented by `indent` spaces."""
    text = yaml.dump(data, Dumper=_CardDumper, sort_keys=False, allow_unicode=True, width=10_000)
    return [" " * indent + line for line in text.splitlines()]


def _is_filler(line: str) -> bool:
    """Blank and comment lines: they belong to what follows them, so edits leave them in place."""
    return not line.strip() or line.lstrip().startswith("#")


class _Editor:
    """Line edits over one card text, located with its source map and applied bottom-up."""

    def __init__(self, text: str, loaded: LoadedCard) -> None:
        self.lines = text.splitlines()
        # A card written with CRLF keeps CRLF: an import must not rewrite every line.
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.loaded = loaded
        self.edits: list[tuple[int, int, list[str]]] = []

    def line(self, path: FieldPath) -> int:
        pos = self.loaded.source_map.positions[path]
        return pos.line - 1

    def end(self, path: FieldPath) -> int:
        """Index just past the lines of `path`'s node: the next line holding a non-descendant."""
        start = self.line(path)
        after = [
            pos.line - 1
            for other, pos in self.loaded.source_map.positions.items()
            if pos.line - 1 > start and other[: len(path)] != path
        ]
        end = min(after, default=len(self.lines))
        while end > start + 1 and _is_filler(self.lines[end - 1]):
            end -= 1
        return end

    def indent(self, path: FieldPath) -> int:
        text = self.lines[self.line(path)]
        return len(text) - len(text.lstrip(" -")) - (2 if text.lstrip().startswith("-") else 0)

    def apply(self) -> str:
        """Bottom-up, so earlier positions stay valid; at one position, in the order edits were added."""
        order = sorted(range(len(self.edits)), key=lambda i: (self.edits[i][0], self.edits[i][1], i))
        for i in reversed(order):
            start, end, new = self.edits[i]
            self.lines[start:end] = new
        return self.newline.join(self.lines) + self.newline


def _conflicts(
    loaded: LoadedCard,
    kind: str,
    index: int,
    old: dict[str, Any],
    new: dict[str, Any],
    compared: tuple[tuple[str, ...], ...],
) -> list[Finding]:
    findings = []
    label = old.get("id") or old.get("name")
    for path in compared:
        before, after = _get(old, path), _get(new, path)
        if before != after:
            findings.append(
                loaded.finding(
                    EVAL_IMPORT_CONFLICT,
                    f"{label!r} has {'.'.join(path)} {before!r} in the card but {after!r} in the results; "
                    "pass --force to replace it",
                    ("evaluation", kind, index, *path),
                    expected=after,
                    actual=before,
                )
            )
    return findings


def _insertion_line(editor: _Editor, raw: dict[str, Any]) -> int:
    """Before the first top-level key that the schema orders after `evaluation`, and its comments."""
    order = list(Card.model_fields)
    later = [key for key in raw if key in order and order.index(key) > order.index("evaluation")]
    if not later:
        return len(editor.lines)
    start = min(editor.line((key,)) for key in later)
    while start > 0 and _is_filler(editor.lines[start - 1]):
        start -= 1
    return start


def merge_run(card_path: Path, run: HarnessRun, *, force: bool = False) -> Merge:
    """What importing `run` into the card does; raises CardkitError when the card cannot be edited."""
    loaded = load_card(card_path)
    if not isinstance(loaded.raw, dict):
        raise CardkitError(f"{loaded.display}: not a readable card; run `cardkit validate` on it first")
    text = read_text_bounded(card_path, MAX_CARD_BYTES)
    editor, merge = _Editor(text, loaded), Merge()
    evaluation = loaded.raw.get("evaluation")
    if evaluation is None:
        block = {"results": run.results, **({"summaries": run.summaries} if run.summaries else {})}
        at = _insertion_line(editor, loaded.raw)
        blank = [""] if at < len(editor.lines) else []
        lead = [""] if at and editor.lines[at - 1].strip() else []
        editor.edits.append((at, at, [*lead, "evaluation:", *_block(block), *blank]))
        merge.added = [r["id"] for r in run.results] + [s["name"] for s in run.summaries]
        expected = {**loaded.raw, "evaluation": block}
    else:
        if not isinstance(evaluation, dict) or not isinstance(evaluation.get("results"), list):
            raise CardkitError(f"{loaded.display}: `evaluation.results` is not a list; fix the card first")
        expected_eval = dict(evaluation)
        for kind, items, key, compared in (
            ("results", run.results, "id", COMPARED),
            ("summaries", run.summaries, "name", SUMMARY_COMPARED),
        ):
            merged = _merge_list(editor, loaded, merge, kind, items, key, compared, force)
            if merged is not None:
                expected_eval[kind] = merged
        expected = {**loaded.raw, "evaluation": expected_eval}
    if merge.conflicts and not force:
        return merge
    if not editor.edits:
        return merge
    merge.text = editor.apply()
    _check_round_trip(merge.text, expected, loaded.display)
    return merge


def _block(block: dict[str, Any]) -> list[str]:
    return _dump(block, 2)


def _merge_list(
    editor: _Editor,
    loaded: LoadedCard,
    merge: Merge,
    kind: str,
    items: list[dict[str, Any]],
    key: str,
    compared: tuple[tuple[str, ...], ...],
    force: bool,
) -> list[Any] | None:
    """Edits for one list of the evaluation block; the list as it will read (None: absent, unchanged)."""
    existing = loaded.raw["evaluation"].get(kind)
    existing = existing if isinstance(existing, list) else []
    merged = list(existing)
    where = {item.get(key): index for index, item in enumerate(existing) if isinstance(item, dict)}
    new_items = []
    for item in items:
        index = where.get(item[key])
        if index is None:
            new_items.append(item)
            merge.added.append(item[key])
            continue
        found = _conflicts(loaded, kind, index, existing[index], item, compared)
        if not found:
            merge.unchanged.append(item[key])
            continue
        merge.conflicts += found
        if force:
            path = ("evaluation", kind, index)
            editor.edits.append((editor.line(path), editor.end(path), _dump([item], editor.indent(path))))
            merged[index] = item
            merge.replaced.append(item[key])
    if new_items:
        if existing:
            last = ("evaluation", kind, len(existing) - 1)
            at = editor.end(last)
            editor.edits.append((at, at, _dump(new_items, editor.indent(last))))
        elif ("evaluation", kind) in loaded.source_map.positions:
            raise CardkitError(f"{loaded.display}: `evaluation.{kind}` is empty or not a list; fix it first")
        else:
            at = editor.end(("evaluation",))
            indent = editor.indent(("evaluation", "results"))
            editor.edits.append((at, at, [" " * (indent - 2) + line for line in _block({kind: new_items})]))
        merged += new_items
    return merged if (existing or new_items) else None


def _check_round_trip(text: str, expected: dict[str, Any], display: str) -> None:
    """Refuse to write a text edit that does not read back as exactly the intended card data."""
    parsed = load_yaml(text, display)
    if parsed.findings or parsed.data != expected:
        raise CardkitError(
            f"{display}: the edited card would not read back as intended (its layout is unusual); "
            "add the results by hand or rewrite the evaluation block in block style"
        )
