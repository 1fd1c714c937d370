"""`cardkit check`: is a folder fit to upload as a Hub model repo (README, metadata, card, weights)?"""

from __future__ import annotations

import argparse
import functools
from pathlib import Path

from cardkit.commands.options import add_card, add_command, add_format, add_no_model

HELP = "check a folder about to be uploaded as a Hub model repo"
DESCRIPTION = """Check a model repo folder before upload: README.md front matter as the Hub reads it
(licence id, ISO language codes, model-index), config.json and tokenizer files present, a licence
file for `license: other`, no secrets or local paths in the README; with a card.yaml in the folder
(or --card), everything validate checks plus the README's metadata against the card."""
EXAMPLES = (
    "cardkit check path/to/repo",
    "cardkit check path/to/repo --checkpoint --format github",
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(commands, "check", summary=HELP, description=DESCRIPTION, examples=EXAMPLES)
    parser.add_argument("folders", nargs="+", type=Path, metavar="FOLDER", help="model repo folders")
    add_card(parser, "the README comes from (default: FOLDER/card.yaml)")
    add_format(parser)
    add_no_model(parser)
    parser.add_argument(
        "--checkpoint", action="store_true", help="also inventory the folder's weights against the card"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cardkit.card.paths import display_path
    from cardkit.commands import require_file, require_folder
    from cardkit.core.errors import UsageError
    from cardkit.core.isolation import failure_report, isolated
    from cardkit.core.report import FORMATTERS, emit
    from cardkit.repo.check import CheckOptions, check_repo
    from cardkit.validate.pipeline import exit_code

    if args.checkpoint and args.no_model:
        raise UsageError("--checkpoint compares with the meta-device architecture; drop --no-model")
    for folder in args.folders:
        require_folder(folder, "folder")
    if args.card is not None:
        require_file(args.card, "--card")
    options = CheckOptions(model=not args.no_model, card=args.card, checkpoint=args.checkpoint)
    reports = []
    for folder in args.folders:
        display = display_path(folder / "README.md")
        reports.append(
            isolated(
                display,
                functools.partial(check_repo, folder, options),
                failure_report(display),
            )
        )
    emit(FORMATTERS[args.format](reports, "folder"))
    return exit_code(reports)
