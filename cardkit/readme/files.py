"""The files a README command reads besides its own arguments: the README itself and the model's
config.json, each read bounded, and config.json through the one reader validate uses.

lint and import used to parse config.json with a bare `json.loads` under a 4 MiB limit, which took
`NaN` and `Infinity` (no JSON reader but Python's does) and kept the last of two equal keys without a
word, while validate refused both; a figure lint checked could then differ from the one validate
checked. Now all of lint, import and check read it with `cardkit.card.config_json.read_config`: the
stricter, correct policy (1 MiB, 32 levels, numbers of at most 100 characters, no NaN or infinity, a
string `model_type`), its problems located by line and key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cardkit.card.config_json import ConfigFile, read_config
from cardkit.core.errors import UsageError
from cardkit.core.findings import Finding, Severity
from cardkit.core.safe_io import UnreadableFile, read_text_bounded
from cardkit.readme.document import MAX_README_BYTES


def read_readme(path: Path) -> str:
    """README text: a regular UTF-8 file of at most MAX_README_BYTES, else a one-line usage error."""
    try:
        return read_text_bounded(path, MAX_README_BYTES)
    except UnreadableFile as exc:
        raise UsageError(str(exc)) from None


def read_model_config(path: Path, display: str | None = None) -> tuple[dict[str, Any], list[Finding]]:
    """The config.json a user named, as validate reads it: its data and its warnings (a duplicate key),
    or a one-line usage error naming the file, line and problem when it cannot be used."""
    config = read_config(path, display or str(path))
    if config.data is None:
        raise UsageError(config_problem(config))
    return config.data, config.findings


def config_problem(config: ConfigFile) -> str:
    """The first error of an unusable config.json as one line: `file:line:column: message [code]`."""
    first = next((f for f in config.findings if f.severity is Severity.ERROR), None)
    if first is None:  # read_config always says why; kept total for the type checker
        return f"{config.display}: config.json cannot be used"
    where = ":".join(str(n) for n in (first.line, first.column) if n is not None)
    return f"{config.display}{':' + where if where else ''}: {first.message} [{first.code}]"


__all__ = ["config_problem", "read_model_config", "read_readme"]
