"""Which optional libraries are installed and at which version: asked once per process, one way.

Two questions come up all over cardkit. "Is torch installed?" gets an import, or a
`MissingDependencyError` naming the extra that installs it (`require`). "Which transformers is
this?" feeds the cache keys (`cardkit.core.cache`) and messages (`version`). The versions are read
from the names of the `<name>-<version>.dist-info` folders on `sys.path`, one `os.listdir` per
path entry for the whole process, the first entry holding a distribution winning, as for imports.
That costs a few milliseconds and imports nothing, where `importlib.metadata` costs about 20 ms to
import and a few more per lookup: too much for a run that answers every card from the report cache.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from types import ModuleType

from cardkit.core.errors import MissingDependencyError

EXTRAS = {
    "torch": "model",
    "transformers": "model",
    "safetensors": "model",
    "accelerate": "model",
    "lm_eval": "eval",
}
"""Top-level module -> the cardkit extra that installs it (pyproject.toml's optional-dependencies)."""

_METADATA = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+?)(?:-py[^-]*)?\.(?:dist-info|egg-info)$")


def canonical(name: str) -> str:
    """A distribution name as its metadata folder spells it: lower case, runs of `-_.` as one `_`."""
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def installed_versions() -> dict[str, str]:
    """Canonical distribution name -> version, for every distribution on `sys.path` (read once)."""
    found: dict[str, str] = {}
    for entry in dict.fromkeys(entry or "." for entry in sys.path):  # in order, each once
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for name in names:
            if (match := _METADATA.match(name)) is not None:
                found.setdefault(canonical(match["name"]), match["version"])
    return found


def version(distribution: str) -> str | None:
    """The installed version of `distribution` (e.g. "transformers", "PyYAML"); None when absent."""
    return installed_versions().get(canonical(distribution))


def require(module: str) -> ModuleType:
    """`import module` (e.g. "torch", "transformers"), or the error naming the extra to install.

    Any ImportError counts: a library whose own dependency is missing is fixed by the same install.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.partition(".")[0]
        raise MissingDependencyError(top, EXTRAS.get(top, "model")) from exc


def optional(module: str, *names: str) -> ModuleType | None:
    """`import module`, or None when this installation lacks it or any of `names` (another version's API)."""
    try:
        found = importlib.import_module(module)
    except ImportError:
        return None
    return found if all(hasattr(found, name) for name in names) else None
