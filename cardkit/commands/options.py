"""What several commands share, declared once: the shape of a command's `--help` and its options.

`add_command` gives every command (and sub-command) the same `--help`: the one-line summary that
`cardkit --help` lists, a description, then real invocations as the epilog, printed as written.
Each `add_*` below declares one option that more than one command takes, with its one name, type,
default and metavar, so `--format` or `--no-model` cannot mean one thing in `validate` and another
in `check`. Where only the purpose differs between commands (`--config`, `--force`), the caller
says it in a few words and the declaration stays here. Building the parser imports nothing heavy.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from cardkit.core.report import FORMATS

DEFAULT_CARDS = "cards"
"""Where `validate` and `render` look when no path is given."""
DEFAULT_FORMAT = "text"


def add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    summary: str,
    description: str,
    examples: Sequence[str],
) -> argparse.ArgumentParser:
    """A command's parser: `summary` for `cardkit --help`, `description` above the options and
    `examples` (one invocation per line, a `# comment` allowed) as the epilog below them."""
    if not examples:
        raise ValueError(f"cardkit {name}: a command's --help needs at least one example")
    return commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog="examples:\n" + "".join(f"  {line}\n" for line in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def add_format(parser: argparse.ArgumentParser) -> argparse.Action:
    """`--format`: how the findings are printed (cardkit.core.report.FORMATTERS)."""
    return parser.add_argument(
        "--format",
        choices=FORMATS,
        default=DEFAULT_FORMAT,
        help="text for people (default), json for programs, github for GitHub Actions annotations",
    )


def add_card_paths(parser: argparse.ArgumentParser) -> argparse.Action:
    """The positional cards: files, folders or a folder of card folders (cardkit.card.paths)."""
    return parser.add_argument(
        "paths",
        nargs="*",
        default=[DEFAULT_CARDS],
        metavar="PATH",
        help=f"card files, card folders or a folder of card folders (default: {DEFAULT_CARDS})",
    )


def add_readmes(parser: argparse.ArgumentParser) -> argparse.Action:
    """The positional READMEs of `lint` and `import`."""
    return parser.add_argument(
        "readme", type=Path, nargs="+", metavar="README", help="README.md or a plain-text card (one or more)"
    )


NO_MODEL_CHECKS = "check the schema, the card rules and config.json's plain keys"


def add_no_model(parser: argparse.ArgumentParser, checks: str = NO_MODEL_CHECKS) -> argparse.Action:
    """`--no-model`: the stages that need no torch (cardkit.validate.options.ValidateOptions.model);
    `checks` says what the command still checks without them."""
    return parser.add_argument(
        "--no-model",
        action="store_true",
        help=f"never import torch or transformers: {checks}, not the architecture built on the meta device",
    )


def add_no_cache(
    parser: argparse.ArgumentParser,
    help: str = "read and write no cache: check every card and build every architecture afresh",
) -> argparse.Action:
    """`--no-cache`: neither read nor write cardkit's cache store (validate's report, facts and
    inventory entries; render's compiled templates, conversions, formats and catalogs)."""
    return parser.add_argument("--no-cache", action="store_true", help=help)


def add_trust_remote_code(parser: argparse.ArgumentParser) -> argparse.Action:
    """`--trust-remote-code`: the one way to let a model repo's own code run; off by default."""
    return parser.add_argument(
        "--trust-remote-code",
        action="store_true",
        help="let transformers run the checkpoint's own code when loading (off by default)",
    )


def add_config(parser: argparse.ArgumentParser, purpose: str, *, required: bool = False) -> argparse.Action:
    """`--config`: the model's config.json; `purpose` says what this command uses it for."""
    return parser.add_argument(
        "--config",
        type=Path,
        required=required,
        metavar="CONFIG",
        help=f"the model's config.json ({purpose})",
    )


def add_repo_id(parser: argparse.ArgumentParser, purpose: str) -> argparse.Action:
    """`--repo-id`: the model's Hub repo id; `purpose` says when this command needs it."""
    return parser.add_argument("--repo-id", metavar="OWNER/NAME", help=f"the model's Hub repo id ({purpose})")


def add_card(parser: argparse.ArgumentParser, purpose: str, *, default: str | None = None) -> argparse.Action:
    """`--card`: one card file; `purpose` says what this command does with it."""
    shown = f" (default: {default})" if default is not None else ""
    return parser.add_argument(
        "--card", type=Path, default=default, metavar="CARD", help=f"the card.yaml {purpose}{shown}"
    )


def add_out_file(parser: argparse.ArgumentParser, noun: str, overwrite: str) -> argparse.Action:
    """`--out FILE`: where a drafted card goes instead of stdout; `overwrite` says when an existing
    file is replaced (never, or only with --force)."""
    return parser.add_argument(
        "--out", type=Path, metavar="FILE", help=f"write the {noun} to FILE (default: print it); {overwrite}"
    )


def add_force(parser: argparse.ArgumentParser, replaces: str) -> argparse.Action:
    """`--force`: do what the command otherwise refuses; `replaces` says what that is."""
    return parser.add_argument("--force", action="store_true", help=f"replace {replaces}")
