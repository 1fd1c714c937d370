"""`cardkit lint`: report what is wrong with an existing README (Markdown or a plain-text scrape)."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "find defects in an existing model-card README (numbers, links, encoding damage, snippets)"
DESCRIPTION = """Lint a model-card README: figures that disagree with config.json or the model id,
totals and averages that do not add up, mirror links, encoding damage, injected text, snippets that
do not parse or load another repository, and missing template sections. Works on Markdown (with or
without front matter) and on plain-text scrapes.

Disable rules for one file with an HTML comment anywhere in it:
  <!-- cardkit-lint disable=lint-mirror-url,lint-emoji-lost -->

examples:
  cardkit lint README.md --config config.json
  cardkit lint README.md --format github
"""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "lint", help=HELP, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("readme", type=Path, help="README.md or a plain-text card")
    parser.add_argument("--config", type=Path, help="the model's config.json, to check figures against")
    parser.add_argument("--repo-id", help="the card's Hub repo id (default: from config.json or the card)")
    parser.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text for people, json for programs, github for Actions annotations",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cardkit.card_paths import display_path  # noqa: PLC0415
    from cardkit.commands import require_file  # noqa: PLC0415
    from cardkit.errors import MissingDependencyError, UsageError  # noqa: PLC0415
    from cardkit.findings import CardReport  # noqa: PLC0415
    from cardkit.isolation import isolated  # noqa: PLC0415
    from cardkit.lint.engine import lint_file  # noqa: PLC0415
    from cardkit.report import FORMATTERS, emit  # noqa: PLC0415

    require_file(args.readme, "README")
    if args.config is not None:
        require_file(args.config, "--config")
    display = display_path(args.readme)
    report = isolated(
        display,
        lambda: lint_file(args.readme, args.config, args.repo_id),
        lambda finding: CardReport(display, findings=[finding]),
        propagate=(MissingDependencyError, UsageError),
    )
    emit(FORMATTERS[args.format]([report], "README"))
    return 1 if report.has_errors else 0
