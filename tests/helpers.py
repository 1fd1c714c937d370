"""Test helpers: the shipped cards, and line-aware edits that break one field of a copy."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from cardkit.core.facts import ConfigReading
from cardkit.core.findings import CardReport, Finding

ROOT = Path(__file__).resolve().parent.parent
CARDS_DIR = ROOT / "cards"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CARD_PATHS = sorted(CARDS_DIR.glob("*/card.yaml"))
SLUGS = [path.parent.name for path in CARD_PATHS]


def line_of(path: Path, text: str) -> int:
    """1-based line of the only line containing `text`, so tests name lines without hard-coding them."""
    lines = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line]
    assert len(lines) == 1, f"{text!r} occurs on lines {lines} of {path}"
    return lines[0]


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace the single occurrence of `old` and return its line number."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


def only(report: CardReport, code: str) -> Finding:
    matching = [f for f in report.findings if f.code == code]
    assert len(matching) == 1, report.findings
    return matching[0]


def python_in_child(code: str, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -c code args` in a fresh interpreter, with cardkit's caches in `cache`.

    For what only a new process shows: which modules a run imports, what it leaves at exit.
    """
    env = {**os.environ, "CARDKIT_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )


HAS_TRANSFORMERS = all(importlib.util.find_spec(name) is not None for name in ("transformers", "torch"))
"""The `model` extra is installed, so lint and import read config.json as transformers does."""


def transformers_reading(config: Path | dict[str, Any]) -> ConfigReading:
    """What `cardkit lint --config` and `cardkit import --config` hand down for a config.json (a
    file or its mapping): transformers' facts when it is installed, as the commands compute them."""
    from cardkit.commands import config_reading

    if isinstance(config, dict):
        return config_reading(Path("config.json"), config)
    return config_reading(config, json.loads(config.read_text(encoding="utf-8")))
