"""`cardkit import`: draft a card.yaml from an existing README (Markdown or a plain-text scrape)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HELP = "draft a card.yaml from an existing README; what it cannot fill is marked TODO"
DESCRIPTION = """Draft a card from an existing model card: Hub front matter and model-index, architecture
and hyperparameter tables (English or Chinese headers), BibTeX and code blocks, and config.json for
the architecture. Nothing is guessed: every field the README does not state is written as
`{TODO: "what goes here"}`, which `cardkit validate` reports at its line until it is filled.

examples:
  cardkit import README.md --config config.json --out cards/my-model/card.yaml
  cardkit import README.md                  # print the draft
"""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "import", help=HELP, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("readme", type=Path, help="README.md or a plain-text card")
    parser.add_argument("--config", type=Path, help="the model's config.json (fills the architecture)")
    parser.add_argument("--repo-id", help="the model's Hub repo id, when the README does not state it")
    parser.add_argument("--out", type=Path, help="write the draft here (default: print it)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing --out file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cardkit.atomic import write_text_atomic  # noqa: PLC0415
    from cardkit.commands import refuse_non_file_output, require_file  # noqa: PLC0415
    from cardkit.errors import UsageError  # noqa: PLC0415
    from cardkit.importer import draft_yaml, import_card  # noqa: PLC0415
    from cardkit.lint.engine import read_config, read_readme  # noqa: PLC0415
    from cardkit.report import emit  # noqa: PLC0415

    require_file(args.readme, "README")
    if args.config is not None:
        require_file(args.config, "--config")
    if args.out is not None:
        refuse_non_file_output(args.out, "--out")
        if os.path.lexists(args.out) and not args.force:
            raise UsageError(f"{args.out}: already exists; pass --force to overwrite it")
    config = read_config(args.config) if args.config else None
    text = draft_yaml(import_card(read_readme(args.readme), config, args.repo_id))
    if args.out is None:
        emit(text)
        return 0
    write_text_atomic(args.out, text)
    todos = text.count("TODO:")
    print(f"wrote {args.out}: {todos} TODO field(s) to fill; `cardkit validate` lists them", file=sys.stderr)
    return 0
