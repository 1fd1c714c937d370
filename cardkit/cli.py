"""The `cardkit` command: keeps model cards honest.

The CLI only wires command modules (cardkit/commands/); each command is a few lines over a library
function. Exit codes: 0 no errors, 1 a card has an error, 2 usage or I/O failure. Set
CARDKIT_DEBUG=1 to see tracebacks.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from cardkit import __version__
from cardkit.commands import check, import_card, lint, new, render, schema, validate
from cardkit.errors import CardkitError
from cardkit.gc_policy import freeze_before_exit

COMMANDS = (validate, check, schema, render, lint, import_card, new)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cardkit", description="Keep large-language-model cards honest.")
    parser.add_argument("--version", action="version", version=f"cardkit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (CardkitError, OSError) as exc:
        if os.environ.get("CARDKIT_DEBUG"):
            raise
        message = f"{exc.filename}: {exc.strerror}" if isinstance(exc, OSError) and exc.filename else exc
        print(f"cardkit: error: {message}", file=sys.stderr)
        return 2


def entry_point() -> int:
    """The `cardkit` command and `python -m cardkit`: `main`, in a process that exits right after."""
    code = main()
    freeze_before_exit()
    return code


if __name__ == "__main__":
    raise SystemExit(entry_point())
