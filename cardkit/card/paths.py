"""Which files are cards, and how to name a file in findings: no pydantic, so fast paths can use it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from cardkit.core.display import display_path as display_path
from cardkit.core.errors import UsageError
from cardkit.core.safe_io import is_regular_file

CARD_FILENAME = "card.yaml"


CARD_SUFFIXES = (".yaml", ".yml")
"""A file named with one of these is a card itself; any other file stands for its folder's card."""


def path_problem(path: Path) -> str | None:
    """Why `path` cannot be read as a regular file (a few words), or None when it can.

    Never opens the path, so a FIFO or a device file cannot block here.
    """
    if is_regular_file(path):
        return None
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    except ValueError:
        return "path contains a NUL byte"
    if stat.S_ISDIR(mode):
        return "a directory; only regular files are read"
    return "not a regular file (a FIFO, socket or device); only regular files are read"


def _exists(path: Path) -> bool:
    try:
        os.stat(path)
    except (OSError, ValueError):
        return False
    return True


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Card files named by `paths`: a card file, a card folder, or a folder of card folders.

    A named `.yaml`/`.yml` file is the card, whatever else its folder holds. Another file inside a
    card folder (its config.json or README.md, as pre-commit passes changed files) stands for that
    folder's card; each card is returned once. A `card.yaml` that is not a regular file (a folder,
    a FIFO) is still returned, so that the run reports it as a finding and checks the rest.
    Raises UsageError for a path that does not exist, or a folder without cards, before any work.
    """
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if not _exists(path):
            shown = display_path(path).replace("\0", "\\0")
            raise UsageError(f"{shown}: no such file or folder")
        if path.is_dir():
            own = path / CARD_FILENAME
            cards = [own] if os.path.lexists(own) else sorted(path.glob(f"*/{CARD_FILENAME}"))
            if not cards and path.name == CARD_FILENAME:
                cards = [path]  # a folder named card.yaml: reported as not a file
            if not cards:
                raise UsageError(f"{path}: no {CARD_FILENAME} in this folder or its subfolders")
            found.extend(cards)
        elif path.suffix.lower() in CARD_SUFFIXES or path.name == CARD_FILENAME:
            found.append(path)
        elif os.path.lexists(path.parent / CARD_FILENAME):
            found.append(path.parent / CARD_FILENAME)
        else:
            found.append(path)
    return list(dict.fromkeys(found))
