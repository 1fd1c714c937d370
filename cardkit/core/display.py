"""How a file is named in findings: relative to the working directory when inside it, as CI
annotations need. In core (not `cardkit.card.paths`, which re-exports it) so `isolation` can name a
file without core importing a layer above it."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it (as CI annotations need), else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(absolute)
