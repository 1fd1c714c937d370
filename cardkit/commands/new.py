"""`cardkit new`: draft a card from a config.json, architecture and exact counts filled in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cardkit.commands.options import add_command, add_config, add_out_file

HELP = "draft a card from config.json: architecture and exact counts filled, the rest marked TODO"
DESCRIPTION = """Draft a card from a model's config.json. transformers reads the config and builds the
model on the meta device (no weights, never remote code), so the architecture and the exact
parameter counts are what `cardkit validate` will check. Everything only people know is written
as `{TODO: "what goes here"}`; validate reports each at its line with the code `todo`."""
EXAMPLES = (
    "cardkit new --config cards/my-model/config.json --out cards/my-model/card.yaml",
    "cardkit new --config config.json --tokenizer . --out card.yaml",
    "cardkit new --config config.json --from README.md --out card.yaml   # names, licence, prose too",
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(commands, "new", summary=HELP, description=DESCRIPTION, examples=EXAMPLES)
    add_config(parser, "the architecture is built from it", required=True)
    parser.add_argument("--tokenizer", type=Path, metavar="DIR", help="folder with tokenizer.json")
    parser.add_argument(
        "--from", dest="readme", type=Path, metavar="README.md", help="take names, licence and prose from it"
    )
    add_out_file(parser, "card", "never overwrites a file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cardkit.commands import refuse_non_file_output, require_file
    from cardkit.core.atomic import write_text_atomic
    from cardkit.core.errors import UsageError
    from cardkit.importing.new_card import draft_from_config

    require_file(args.config, "--config")
    if args.readme is not None:
        require_file(args.readme, "--from")
    if args.out is not None and refuse_non_file_output(args.out, "--out").exists():
        raise UsageError(f"{args.out}: already exists; cardkit new never overwrites a card")
    text = draft_from_config(args.config, args.tokenizer, args.out, args.readme)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    write_text_atomic(args.out, text)
    todos = text.count("TODO:")
    print(f"wrote {args.out}: {todos} TODO field(s) to fill; `cardkit validate` lists them", file=sys.stderr)
    return 0
