"""Which files are cards, and how to name a file in findings: no pydantic, so fast paths can use it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from cardkit.errors import UsageError

CARD_FILENAME = "card.yaml"


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it (as CI annotations need), else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(absolute)


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Card files named by `paths`: a card file, a card folder, or a folder of card folders.

    Another file inside a card folder (its config.json or README.md, as pre-commit passes changed
    files) stands for that folder's card; each card is returned once.
    """
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_file() and path.name != CARD_FILENAME and (path.parent / CARD_FILENAME).is_file():
            found.append(path.parent / CARD_FILENAME)
        elif path.is_file():
            found.append(path)
        elif (path / CARD_FILENAME).is_file():
            found.append(path / CARD_FILENAME)
        elif path.is_dir():
            cards = sorted(path.glob(f"*/{CARD_FILENAME}"))
            if not cards:
                raise UsageError(f"{path}: no {CARD_FILENAME} in this folder or its subfolders")
            found.extend(cards)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return list(dict.fromkeys(found))
