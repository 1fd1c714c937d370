"""`cardkit schema`: print or write the card JSON Schema generated from the Pydantic models."""

from __future__ import annotations

import argparse
import sys

from cardkit.commands.options import add_command

DESCRIPTION = """Print the card JSON Schema, generated from the Pydantic models (a test fails when the
committed schemas/card.schema.json is stale)."""
EXAMPLES = (
    "cardkit schema > card.schema.json",
    "cardkit schema --write                 # refresh schemas/card.schema.json",
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands, "schema", summary="print the card JSON Schema", description=DESCRIPTION, examples=EXAMPLES
    )
    parser.add_argument("--write", action="store_true", help="write schemas/card.schema.json instead")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cardkit.schema.export import schema_text, write_schema

    if args.write:
        print(f"wrote {write_schema()}")
    else:
        sys.stdout.write(schema_text())
    return 0
