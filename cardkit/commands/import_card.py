"""`cardkit import`: draft a card.yaml from an existing README (Markdown or a plain-text scrape)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cardkit.commands.options import (
    add_command,
    add_config,
    add_force,
    add_no_model,
    add_out_file,
    add_readmes,
    add_repo_id,
)

HELP = "draft a card.yaml from an existing README; what it cannot fill is marked TODO"
DESCRIPTION = """Draft a card from an existing model card: Hub front matter and model-index, architecture
and hyperparameter tables (English or Chinese headers), BibTeX and code blocks, and config.json for
the architecture (as transformers reads it, the facts `cardkit validate` uses, when it is installed
and implements the model_type; else config.json's literal keys). Nothing is guessed: every field
the README does not state is written as `{TODO: "what goes here"}`, which `cardkit validate`
reports at its line until it is filled.

A value is filled only when the README states it for this model unambiguously; otherwise the TODO's
hint lists the candidates and their lines. Several READMEs in one run: each draft is written to
--out-dir/<README's folder name>.yaml (or printed, one YAML document each), with the config.json
beside each README."""
EXAMPLES = (
    "cardkit import README.md --config config.json --out cards/my-model/card.yaml",
    "cardkit import README.md                  # print the draft",
    "cardkit import a/README.md b/README.md --out-dir drafts/",
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(commands, "import", summary=HELP, description=DESCRIPTION, examples=EXAMPLES)
    add_readmes(parser)
    add_config(parser, "fills the architecture; one README only")
    add_repo_id(parser, "when the README does not state it; one README only")
    add_out_file(parser, "draft", "one README only; an existing file only with --force")
    parser.add_argument(
        "--out-dir", type=Path, metavar="DIR", help="with several READMEs: write each draft into this folder"
    )
    add_force(parser, "existing output files")
    add_no_model(parser, "fill the architecture from config.json's literal keys only (fast)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cardkit.commands import config_reading, refuse_non_file_output, require_file
    from cardkit.core.atomic import write_text_atomic
    from cardkit.core.errors import UsageError
    from cardkit.core.report import emit
    from cardkit.importing.readme import draft_yaml, import_card
    from cardkit.readme.files import read_model_config, read_readme

    many = len(args.readme) > 1
    if many and (args.config is not None or args.repo_id is not None or args.out is not None):
        raise UsageError(
            "--config, --repo-id and --out describe one model; with several READMEs use --out-dir"
        )
    if args.out is not None and args.out_dir is not None:
        raise UsageError("give --out or --out-dir, not both")
    for readme in args.readme:
        require_file(readme, "README")
    if args.config is not None:
        require_file(args.config, "--config")
    targets = _targets(args)
    for target in targets:
        if target is not None:
            refuse_non_file_output(target, "--out")
            if os.path.lexists(target) and not args.force:
                raise UsageError(f"{target}: already exists; pass --force to overwrite it")
    config_path = args.config
    config = read_model_config(config_path)[0] if config_path else None
    printed = []
    for readme, target in zip(args.readme, targets, strict=True):
        beside = readme.parent / "config.json"
        if many and beside.is_file():  # several models: each one's config.json sits beside its README
            config_path, config = beside, read_model_config(beside)[0]
        elif many:
            config_path, config = None, None
        reading = None
        if config_path and config:
            reading = config_reading(config_path, config, model=not args.no_model)
        text = draft_yaml(import_card(read_readme(readme), config, args.repo_id, reading))
        if target is None:
            printed.append(f"# from {readme}\n{text}" if many else text)
            continue
        write_text_atomic(target, text)
        todos = text.count("TODO:")
        message = f"wrote {target}: {todos} TODO field(s) to fill; `cardkit validate` lists them"
        print(message, file=sys.stderr)
    if printed:
        emit("---\n".join(printed))
    return 0


def _targets(args: argparse.Namespace) -> list[Path | None]:
    """Where each draft goes: --out for one README, --out-dir/<folder>.yaml for several (a repeated
    folder name is a usage error, so no draft overwrites another), else printed (None)."""
    if args.out_dir is None:
        return [args.out] * len(args.readme) if args.out is not None else [None] * len(args.readme)
    from cardkit.core.errors import UsageError

    if not args.out_dir.is_dir():
        raise UsageError(f"--out-dir {args.out_dir}: not a folder")
    names = [(readme.resolve().parent.name or readme.stem) + ".yaml" for readme in args.readme]
    if len(set(names)) != len(names):
        raise UsageError("--out-dir: two READMEs sit in folders of the same name; import them separately")
    return [args.out_dir / name for name in names]
