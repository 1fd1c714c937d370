"""`cardkit eval`: lm-evaluation-harness results into the card and the Hub files, and where they differ."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cardkit.core.errors import UsageError
from cardkit.core.findings import Finding

HELP = "import lm-evaluation-harness results into a card; diff card, README, .eval_results and results"
DESCRIPTION = """Evaluation results between lm-evaluation-harness, the card, the README and the Hub.

  import RESULTS.json   add one result per task and metric (and group summaries) to the card's
                        evaluation; a result the card states with another value is a conflict,
                        replaced only with --force. --eval-results DIR also writes the Hub's
                        per-benchmark .eval_results/*.yaml files from the card.
  diff                  list every score that differs between the sources given

examples:
  cardkit eval import results_2026-01-01T00-00-00.json --card cards/my-model/card.yaml
  cardkit eval import results.json --card card.yaml --eval-results .eval_results
  cardkit eval diff --card card.yaml --readme README.md --eval-results .eval_results --results results.json
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "eval", help=HELP, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    actions = parser.add_subparsers(dest="eval_command", required=True, metavar="ACTION")
    importing = actions.add_parser("import", help="add a harness results file to a card")
    importing.add_argument("results", help="results_*.json written by lm-evaluation-harness")
    importing.add_argument("--card", default="card.yaml", help="card to update (default: card.yaml)")
    importing.add_argument("--eval-results", metavar="DIR", help="also write the Hub's .eval_results files")
    importing.add_argument("--force", action="store_true", help="replace results that conflict")
    importing.set_defaults(handler=run_import)
    diff = actions.add_parser("diff", help="list every score that differs between sources")
    diff.add_argument("--card", help="card.yaml")
    diff.add_argument("--readme", help="README.md whose front matter has a model-index")
    diff.add_argument("--eval-results", metavar="DIR", help=".eval_results folder")
    diff.add_argument("--results", help="lm-evaluation-harness results JSON")
    diff.set_defaults(handler=run_diff)


def _existing(path: str | None, kind: str, folder: bool = False) -> Path | None:
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
