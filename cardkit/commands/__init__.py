"""One module per CLI command; each exposes `register(subparsers)` and calls the library.

`options.py` declares what several commands share (each command's `--help` shape, `--format`,
the card paths, `--no-model`, ...), so a command module names its options and declares only its own.

The helpers here check the paths a user names on the command line before any work starts: each
must exist and be what the option says (a regular file, a folder), or the command stops with a
one-line usage error (exit 2). They never open a path, so a FIFO named as a file cannot block.

Layer: the top but for the CLI module: may import `cardkit.core`, `cardkit.card`,
`cardkit.schema`, `cardkit.readme`, `cardkit.validate`, `cardkit.lint`, `cardkit.render`,
`cardkit.evaluation`, `cardkit.importing` and `cardkit.repo`; never torch or transformers (the
libraries import those where needed).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardkit.core.errors import UsageError

if TYPE_CHECKING:
    from cardkit.core.facts import ConfigReading


def _shown(path: Path) -> str:
    return str(path).replace("\0", "\\0")


def require_file(path: Path, option: str) -> Path:
    """`path` when it is a regular file (through symlinks), else UsageError naming `option`."""
    from cardkit.card.paths import path_problem  # lazy: keeps building the parser light

    problem = path_problem(path)
    if problem is not None:
        raise UsageError(f"{option} {_shown(path)}: {problem}")
    return path


def require_folder(path: Path, option: str) -> Path:
    """`path` when it is an existing folder, else UsageError naming `option`."""
    try:
        is_folder = os.path.isdir(path)
        exists = os.path.exists(path)
    except ValueError:
        is_folder = exists = False
    if not is_folder:
        raise UsageError(f"{option} {_shown(path)}: {'not a folder' if exists else 'no such folder'}")
    return path


def refuse_non_file_output(path: Path, option: str) -> Path:
    """`path` when it does not exist yet or is a regular file that may be replaced."""
    if "\0" in str(path):
        raise UsageError(f"{option} {_shown(path)}: a path cannot contain a NUL byte")
    if os.path.lexists(path) and not os.path.isfile(path):
        raise UsageError(f"{option} {_shown(path)}: exists and is not a regular file")
    return path


def config_reading(path: Path, data: dict[str, Any], model: bool = True) -> ConfigReading:
    """What transformers says about the config.json at `path` (already read into `data`), for lint
    and import to hold figures to: validate's facts, through its cache, when transformers is
    installed, implements the model_type and `model` is on; else literal keys only, saying why."""
    from cardkit.card.config_json import ConfigFile
    from cardkit.card.paths import display_path
    from cardkit.validate.facts_cache import reading_for

    return reading_for(ConfigFile(display_path(path), data), model)
