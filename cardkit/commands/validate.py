"""`cardkit validate`: check cards against the schema, config.json and the meta-device architecture."""

from __future__ import annotations

import argparse
from pathlib import Path

from cardkit.commands.options import (
    add_card_paths,
    add_command,
    add_format,
    add_no_cache,
    add_no_model,
    add_trust_remote_code,
)

HELP = "check cards against their schema, config.json and the meta-device architecture"
DESCRIPTION = """Check cards against the schema, their config.json and the architecture built on the
meta device, and print claimed vs computed parameters per card."""
EXAMPLES = (
    "cardkit validate                       # every card under cards/",
    "cardkit validate cards/llama-2-13b --format json",
    "cardkit validate --no-model            # schema and card rules only, no torch import",
    "cardkit validate cards/llama-2-13b --checkpoint ~/models/Llama-2-13b-hf   # headers only, no data read",
    "cardkit validate cards/llama-2-13b --checkpoint DIR --load --generate    # load and generate too",
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(commands, "validate", summary=HELP, description=DESCRIPTION, examples=EXAMPLES)
    add_card_paths(parser)
    add_format(parser)
    add_no_model(parser)
    add_no_cache(parser)
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
    add_trust_remote_code(parser)
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
