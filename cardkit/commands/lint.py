"""`cardkit lint`: report what is wrong with an existing README (Markdown or a plain-text scrape)."""

from __future__ import annotations

import argparse
import functools

from cardkit.commands.options import (
    add_command,
    add_config,
    add_format,
    add_no_model,
    add_readmes,
    add_repo_id,
)

HELP = "find defects in an existing model-card README (numbers, links, encoding damage, snippets)"
DESCRIPTION = """Lint a model-card README: figures that disagree with config.json or the model id,
totals and averages that do not add up, mirror links, encoding damage, injected text, snippets that
do not parse or load another repository, and missing template sections. Works on Markdown (with or
without front matter) and on plain-text scrapes.

Disable rules for one file with an HTML comment anywhere in it:
  <!-- cardkit-lint disable=lint-mirror-url,lint-emoji-lost -->

A README that describes several repos (sizes, chat and base, quantised copies) is recognised as a
family card when it names three or more of one owner; --family declares one. Loading a sibling is
then no defect.

With --config, the README's figures are held to config.json as transformers reads it (the facts
`cardkit validate` uses) when transformers is installed and implements the model_type; otherwise,
and with --no-model, to the keys every config class reads literally, with a note for a figure only
a family's own key states."""
EXAMPLES = (
    "cardkit lint README.md --config config.json",
    "cardkit lint README.md --format github",
    "cardkit lint cards/*/README.md          # many READMEs, one process, one report",
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(commands, "lint", summary=HELP, description=DESCRIPTION, examples=EXAMPLES)
    add_readmes(parser)
    add_config(parser, "to check the figures against; one README only")
    add_repo_id(parser, "default: from config.json or the card; one README only")
    add_no_model(parser, "hold the figures to config.json's literal keys only (fast)")
    parser.add_argument(
        "--family", action="store_true", help="the README describes several repos; siblings are no defect"
    )
    add_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cardkit.card.paths import display_path
    from cardkit.commands import config_reading, require_file
    from cardkit.core.errors import MissingDependencyError, UsageError
    from cardkit.core.findings import Finding
    from cardkit.core.isolation import failure_report, isolated
    from cardkit.core.report import FORMATTERS, emit
    from cardkit.lint.engine import lint_readme
    from cardkit.readme.files import read_model_config

    if len(args.readme) > 1 and (args.config is not None or args.repo_id is not None):
        raise UsageError("--config and --repo-id describe one model; give them with one README only")
    for readme in args.readme:
        require_file(readme, "README")
    config, warnings, reading = None, list[Finding](), None
    if args.config is not None:
        require_file(args.config, "--config")
        config, warnings = read_model_config(args.config)
        reading = config_reading(args.config, config, model=not args.no_model)
    reports = []
    for readme in args.readme:
        display = display_path(readme)
        reports.append(
            isolated(
                display,
                functools.partial(lint_readme, readme, config, warnings, args.repo_id, args.family, reading),
                failure_report(display),
                propagate=(MissingDependencyError, UsageError),
            )
        )
    emit(FORMATTERS[args.format](reports, "README"))
    return 1 if any(report.has_errors for report in reports) else 0
