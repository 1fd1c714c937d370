"""`cardkit render`: write each card's README.md and README_zh*.md from card.yaml, or check them."""

from __future__ import annotations

import argparse

from cardkit.commands.options import add_card_paths, add_command, add_force, add_no_cache

LAYOUT_CHOICES = ("en", "zh", "zh-Hant", "en+zh")
"""The layouts of cardkit.render.LAYOUTS, spelled out so building the parser imports no Jinja."""
DEFAULT_LAYOUT_CHOICES = ("en", "zh", "zh-Hant")
"""cardkit.render.DEFAULT_LAYOUTS, spelled out likewise for --lang's help."""

HELP = "write each card's README.md / README_zh*.md from card.yaml, or --check they are current"
DESCRIPTION = """Render model-card READMEs (Hub front matter and the Hub model-card sections) from
card.yaml. Default: README.md (English), README_zh.md (Simplified) and README_zh-Hant.md
(Traditional Chinese) next to each card; only README.md carries the front matter.

layouts (--lang, repeatable):
  en        README.md            zh       README_zh.md
  zh-Hant   README_zh-Hant.md    en+zh    README.md, each section in English then Chinese

A README that cardkit did not write, or that was edited since, is not overwritten without --force."""
EXAMPLES = (
    "cardkit render                              # every card under cards/",
    "cardkit render cards/llama-2-13b --lang zh-Hant",
    "cardkit render --check                      # exit 1 with a diff when a README is stale",
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(commands, "render", summary=HELP, description=DESCRIPTION, examples=EXAMPLES)
    add_card_paths(parser)
    parser.add_argument(
        "--lang",
        action="append",
        choices=LAYOUT_CHOICES,
        help=f"layout to render, repeatable (default: {', '.join(DEFAULT_LAYOUT_CHOICES)})",
    )
    parser.add_argument(
        "--out", metavar="DIR", help="write to DIR/<card folder>/ instead of next to each card"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 with a diff when a README is stale"
    )
    add_force(parser, "READMEs that were edited by hand or not written by cardkit")
    add_no_cache(
        parser, help="read and write no cache: compile every template, load OpenCC and Babel afresh"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cardkit.core.errors import UsageError
    from cardkit.core.report import emit
    from cardkit.render import exit_code, format_results, render_paths

    if args.out is not None and Path(args.out).exists() and not Path(args.out).is_dir():
        raise UsageError(f"--out {args.out}: exists and is not a folder")
    results = render_paths(
        args.paths, args.lang, args.out, check=args.check, force=args.force, cache=not args.no_cache
    )
    emit(format_results(results, check=args.check))
    return exit_code(results)
