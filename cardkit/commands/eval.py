"""`cardkit eval`: lm-evaluation-harness results into the card and the Hub files, and where they differ."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cardkit.commands.options import add_card, add_command, add_force
from cardkit.core.errors import UsageError
from cardkit.core.findings import Finding

HELP = "import lm-evaluation-harness results into a card; diff card, README, .eval_results and results"
DESCRIPTION = """Evaluation results between lm-evaluation-harness, the card, the README and the Hub.

  import RESULTS.json   add one result per task and metric (and group summaries) to the card's
                        evaluation; a result the card states with another value is a conflict,
                        replaced only with --force. --eval-results DIR also writes the Hub's
                        per-benchmark .eval_results/*.yaml files from the card.
  diff                  list every score that differs between the sources given"""
IMPORT_DESCRIPTION = """Add one result per task and metric of an lm-evaluation-harness results file
(and a summary per aggregated group) to the card's evaluation, validate the edited card, then
replace it. A result the card already states with another value or shot count is a conflict:
nothing is written unless --force."""
DIFF_DESCRIPTION = """List every score that differs between the sources given (at least two): the card,
the README's model-index, the Hub's .eval_results folder and a harness results file. Exit 1 when
any differs."""
IMPORT_EXAMPLES = (
    "cardkit eval import results_2026-01-01T00-00-00.json --card cards/my-model/card.yaml",
    "cardkit eval import results.json --card card.yaml --eval-results .eval_results",
)
DIFF_EXAMPLES = (
    "cardkit eval diff --card card.yaml --readme README.md",
    "cardkit eval diff --card card.yaml --eval-results .eval_results --results results.json",
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands, "eval", summary=HELP, description=DESCRIPTION, examples=IMPORT_EXAMPLES + DIFF_EXAMPLES
    )
    actions = parser.add_subparsers(dest="eval_command", required=True, metavar="ACTION")
    importing = add_command(
        actions,
        "import",
        summary="add a harness results file to a card",
        description=IMPORT_DESCRIPTION,
        examples=IMPORT_EXAMPLES,
    )
    importing.add_argument(
        "results", metavar="RESULTS.json", help="results_*.json written by lm-evaluation-harness"
    )
    add_card(importing, "to update", default="card.yaml")
    _add_eval_results(importing, "also write the Hub's .eval_results/*.yaml files from the card into DIR")
    add_force(importing, "the card's results (and .eval_results files) that conflict with this run")
    importing.set_defaults(handler=run_import)
    diff = add_command(
        actions,
        "diff",
        summary="list every score that differs between sources",
        description=DIFF_DESCRIPTION,
        examples=DIFF_EXAMPLES,
    )
    add_card(diff, "to compare")
    diff.add_argument("--readme", metavar="README", help="README.md whose front matter has a model-index")
    _add_eval_results(diff, "the Hub's .eval_results folder to compare")
    diff.add_argument("--results", metavar="RESULTS.json", help="lm-evaluation-harness results JSON")
    diff.set_defaults(handler=run_diff)


def _add_eval_results(parser: argparse.ArgumentParser, purpose: str) -> None:
    parser.add_argument("--eval-results", metavar="DIR", help=purpose)


def _existing(path: str | Path | None, kind: str, folder: bool = False) -> Path | None:
    if path is None:
        return None
    found = Path(path)
    if not (found.is_dir() if folder else found.is_file()):
        raise UsageError(f"{path}: no such {'folder' if folder else 'file'} ({kind})")
    return found


def _print_findings(findings: list[Finding]) -> None:
    from cardkit.core.report import _where

    for f in findings:
        field = f" {f.field}:" if f.field else ""
        print(f"{_where(f)}: {f.severity.value} [{f.code}]{field} {f.message}")


def run_import(args: argparse.Namespace) -> int:
    from cardkit.evaluation.importing import import_results

    results = _existing(args.results, "results JSON")
    card = _existing(args.card, "card")
    assert results is not None and card is not None
    folder = Path(args.eval_results) if args.eval_results else None
    report = import_results(results, card, folder, force=args.force)
    _print_findings(report.findings)
    merge = report.merge
    print(
        f"{len(merge.added)} added, {len(merge.replaced)} replaced, {len(merge.unchanged)} unchanged, "
        f"{len(merge.conflicts) if not args.force else 0} conflict(s); "
        f"wrote {', '.join(report.written) if report.written else 'nothing'}"
    )
    return 1 if report.has_errors else 0


def run_diff(args: argparse.Namespace) -> int:
    from cardkit.evaluation.compare import diff_sources

    sources = {
        "card": _existing(args.card, "card"),
        "readme": _existing(args.readme, "README"),
        "eval_results": _existing(args.eval_results, ".eval_results", folder=True),
        "results": _existing(args.results, "results JSON"),
    }
    if sum(path is not None for path in sources.values()) < 2:
        raise UsageError("eval diff needs at least two of --card, --readme, --eval-results, --results")
    findings = diff_sources(**sources)
    _print_findings(findings)
    sys.stdout.write(f"{len(findings)} finding(s)\n" if findings else "no differences\n")
    return 1 if findings else 0
