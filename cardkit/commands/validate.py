"""`cardkit validate`: check cards against the schema, config.json and the meta-device architecture."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "check cards against their schema, config.json and the meta-device architecture"
DESCRIPTION = """Check cards against the schema, their config.json and the architecture built on the
meta device, and print claimed vs computed parameters per card.

examples:
  cardkit validate                       # every card under cards/
  cardkit validate cards/llama-2-13b --format json
  cardkit validate --no-model            # schema and card rules only, no torch import
  cardkit validate cards/llama-2-13b --checkpoint ~/models/Llama-2-13b-hf   # headers only, no data read
  cardkit validate cards/llama-2-13b --checkpoint DIR --load --generate    # load and generate too
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "validate", help=HELP, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", default=["cards"], help="card files or folders (default: cards)")
    parser.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text for people, json for programs, github for Actions annotations",
    )
    parser.add_argument(
        "--no-model",
        action="store_true",
        help="schema and card rules only; never imports torch or transformers",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="read and write no cache: check every card and build every architecture afresh",
    )
    parser.add_argument(
        "--checkpoint",
        metavar="DIR",
        type=Path,
        help="check the weights in DIR against the card from their safetensors headers (no data read)",
    )
    parser.add_argument(
        "--load",
        action="store_true",
        help="also load DIR with transformers and count layers, heads, parameters",
    )
    parser.add_argument(
        "--generate",
        action="store_true",
        help="also generate with the card's prompt, stop tokens and defaults (implies --load)",
    )
    parser.add_argument(
        "--trust-remote-code",
        action="store_true",
        help="let transformers run the checkpoint's own code when loading (off by default)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cardkit.commands import require_folder
    from cardkit.core.report import FORMATTERS, emit
    from cardkit.validate.options import ValidateOptions
    from cardkit.validate.pipeline import exit_code, validate_paths

    if args.checkpoint is not None:
        require_folder(args.checkpoint, "--checkpoint")
    options = ValidateOptions(
        model=not args.no_model,
        cache=not args.no_cache,
        checkpoint=args.checkpoint,
        load=args.load,
        generate=args.generate,
        trust_remote_code=args.trust_remote_code,
    )
    reports = validate_paths(args.paths, options)
    emit(FORMATTERS[args.format](reports, "card"))
    return exit_code(reports)
