"""Lint and import over published model cards, scored against a careful reader's judgement tables.

The folder (default ../shared/wild) holds one sub-folder per card (README.md, optional config.json)
and three tables: lint_judgements.tsv (each finding true or false), missed_defects.tsv (defects lint
did not report) and import_results.tsv (values import got wrong). The cards are third-party text: this
script only measures; the test suite never reads them. Absent folder: a message, exit 0.

Per card and in total it prints lint findings (judged true / false / borderline / not judged),
missed defects now found, and import values filled / TODO / known wrong.

    python bench/bench_wild.py [FOLDER] [--verbose]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT = next(
    (up / "shared" / "wild" for up in ROOT.parents if (up / "shared" / "wild").is_dir()),
    ROOT.parent / "shared" / "wild",
)
"""../shared/wild beside the checkout, or beside a folder above it (a worktree under /work/wt/)."""
RUN_REPO = re.compile(r"^repo-id\s+(\S+)$")
WRONG_VALUE = re.compile(r"([\w.]+)=(?:'([^']*)'|([^\s,;]+))")


@dataclass
class Judged:
    """One row of lint_judgements.tsv: a finding at one or more lines, with its verdict."""

    run: str
    code: str
    section: str | None
    lines: set[int | None]
    verdict: str


@dataclass
class Score:
    true: int = 0
    false: int = 0
    borderline: int = 0
    unjudged: int = 0
    true_expected: int = 0
    true_missing: list[str] = field(default_factory=list)
    missed_found: int = 0
    missed_total: int = 0
    filled: int = 0
    todo: int = 0
    wrong: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unjudged_ids: set[int] = field(default_factory=set)


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _lines(text: str) -> set[int | None]:
    numbers = re.findall(r"\d+", text)
    return {int(n) for n in numbers} if numbers else {None}


def judgements(folder: Path) -> dict[str, list[Judged]]:
    table: dict[str, list[Judged]] = {}
    for row in read_tsv(folder / "lint_judgements.tsv"):
        match = re.fullmatch(r"([\w-]+)(?:\((\w+)\))?", row["rule"].strip())
        code, section = (match.group(1), match.group(2)) if match else (row["rule"], None)
        verdict = row["verdict"].split()[0]
        table.setdefault(row["card"], []).append(
            Judged(row["run"].strip(), code, section, _lines(row["line"]), verdict)
        )
    return table


def _section(message: str) -> str | None:
    match = re.match(r"no (\w+) section", message)
    return match.group(1) if match else None


def _reading(config: Path | None, data: dict[str, Any] | None) -> Any:
    """What `cardkit lint --config` and `cardkit import --config` hand down: transformers' reading."""
    from cardkit.commands import config_reading

    return config_reading(config, data) if config is not None and data is not None else None


def _lint(readme: Path, config: Path | None, repo_id: str | None) -> list[Any]:
    from cardkit.lint.engine import lint_readme
    from cardkit.readme.files import read_model_config

    data, warnings = read_model_config(config) if config else (None, [])
    return lint_readme(readme, data, warnings, repo_id, reading=_reading(config, data)).findings


def _verdict(finding: Any, rows: list[Judged], run: str) -> str | None:
    """The table's verdict on a finding: from its own run, else from another run (a finding that
    needed --repo-id before may now come without it; the same line is the same truth)."""
    for row in sorted(rows, key=lambda r: r.run != run):
        if row.code != finding.code:
            continue
        if row.section is not None and row.section != _section(finding.message):
            continue
        if finding.line in row.lines:
            return row.verdict
    return None


def score_lint(card: str, folder: Path, rows: list[Judged], score: Score, verbose: bool) -> list[Any]:
    """Score the default run and each repo-id run the table names; return the default run's findings
    (a missed defect counts as found only when lint finds it without being told the repo id)."""
    readme, config = folder / "README.md", folder / "config.json"
    config_path = config if config.exists() else None
    runs = ["default", *sorted({row.run for row in rows if row.run != "default"})]
    default: list[Any] = []
    default_keys: set[tuple[str, str | None, int | None]] = set()
    for run in runs:
        repo = RUN_REPO.match(run)
        findings = _lint(readme, config_path, repo.group(1) if repo else None)
        if run == "default":
            default = findings
            default_keys = {(f.code, _section(f.message), f.line) for f in findings}
        else:  # the table judges only what a repo-id run adds to the default run
            findings = [f for f in findings if (f.code, _section(f.message), f.line) not in default_keys]
        seen: set[tuple[str, str | None, int | None]] = set()
        for finding in findings:
            verdict = _verdict(finding, rows, run)
            seen.add((finding.code, _section(finding.message), finding.line))
            if verdict == "true":
                score.true += 1
            elif verdict == "false":
                score.false += 1
            elif verdict == "borderline":
                score.borderline += 1
            else:
                score.unjudged += 1
                score.unjudged_ids.add(id(finding))
            if verbose or verdict != "true":
                score.notes.append(
                    f"  [{run}] {verdict or 'NOT JUDGED'}: {finding.code} L{finding.line} "
                    f"{finding.message[:110]}"
                )
        for row in rows:
            if row.run != run or row.verdict != "true":
                continue
            for line in row.lines:
                score.true_expected += 1
                if (row.code, row.section, line) not in seen | default_keys:
                    score.true_missing.append(f"[{run}] {row.code}({row.section or ''}) L{line}")
    return default


def score_missed(card: str, defects: list[dict[str, str]], findings: list[Any], score: Score) -> None:
    for defect in defects:
        score.missed_total += 1
        lines = _lines(defect["line"])
        found = [f for f in findings if f.line in lines and (f.line is not None or "limitation" in f.message)]
        if found:
            score.missed_found += 1
            for finding in found:  # a listed defect is a true finding, at each of its lines
                if id(finding) in score.unjudged_ids:
                    score.unjudged_ids.discard(id(finding))
                    score.unjudged -= 1
                    score.true += 1
            score.notes.append(f"  missed defect now found L{defect['line']}: {found[0].code}")
        else:
            score.notes.append(f"  missed defect still missed L{defect['line']}: {defect['defect'][:80]}")


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    from cardkit.importing.readme import is_todo

    if is_todo(value):
        yield path, None
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def score_import(folder: Path, row: dict[str, str] | None, score: Score) -> None:
    from cardkit.importing.readme import import_card
    from cardkit.readme.files import read_model_config, read_readme

    config = folder / "config.json"
    data = read_model_config(config)[0] if config.exists() else None
    draft = import_card(read_readme(folder / "README.md"), data, reading=_reading(config, data))
    values = [(p, v) for p, v in leaves(draft) if p not in ("schema_version", "config")]
    score.filled += sum(v is not None for _, v in values)
    score.todo += sum(v is None for _, v in values)
    if row is None:
        return
    claims = f"{row.get('wrong values', '')} {row.get('guessed (family card / arbitrary)', '')}"
    for match in WRONG_VALUE.finditer(claims):
        key, wrong = match.group(1), match.group(2) if match.group(2) is not None else match.group(3)
        for path, value in values:
            if (path == key or path.endswith("." + key)) and value is not None and str(value) == wrong:
                score.wrong.append(f"{path}={value!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument(
        "--verbose", action="store_true", help="list every finding, not only the non-true ones"
    )
    args = parser.parse_args(argv)
    if not (args.folder / "lint_judgements.tsv").is_file():
        print(f"bench_wild: {args.folder} has no lint_judgements.tsv; nothing to measure (skipped)")
        return 0
    table = judgements(args.folder)
    missed: dict[str, list[dict[str, str]]] = {}
    for row in read_tsv(args.folder / "missed_defects.tsv"):
        missed.setdefault(row["card"], []).append(row)
    imported = {row["card"]: row for row in read_tsv(args.folder / "import_results.tsv")}
    total = Score()
    print(
        f"{'card':32} {'T':>3} {'F':>3} {'B':>3} {'?':>3} {'miss':>5} {'filled':>6} {'todo':>5} {'wrong':>5}"
    )
    for folder in sorted(p for p in args.folder.iterdir() if (p / "README.md").is_file()):
        score = Score()
        findings = score_lint(folder.name, folder, table.get(folder.name, []), score, args.verbose)
        score_missed(folder.name, missed.get(folder.name, []), findings, score)
        score_import(folder, imported.get(folder.name), score)
        print(
            f"{folder.name:32} {score.true:3} {score.false:3} {score.borderline:3} {score.unjudged:3} "
            f"{score.missed_found:2}/{score.missed_total:<2} {score.filled:6} {score.todo:5} "
            f"{len(score.wrong):5}"
        )
        for note in score.notes + [f"  TRUE FINDING LOST: {m}" for m in score.true_missing]:
            print(note)
        for wrong in score.wrong:
            print(f"  import still wrong: {wrong}")
        for name in (
            "true",
            "false",
            "borderline",
            "unjudged",
            "true_expected",
            "missed_found",
            "missed_total",
            "filled",
            "todo",
        ):
            setattr(total, name, getattr(total, name) + getattr(score, name))
        total.true_missing += score.true_missing
        total.wrong += score.wrong
    judged = total.true + total.false
    precision = total.true / judged if judged else 1.0
    print(
        f"\nlint: {total.true} true, {total.false} false, {total.borderline} borderline, "
        f"{total.unjudged} not judged; precision {precision:.0%} of judged; "
        f"{total.true_expected - len(total.true_missing)}/{total.true_expected} judged-true findings "
        "still found"
    )
    print(f"missed defects now found: {total.missed_found}/{total.missed_total}")
    print(f"import: {total.filled} values filled, {total.todo} TODO, {len(total.wrong)} known wrong")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
