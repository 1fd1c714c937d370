"""The README is the user's manual: every command and every finding code must be in it."""

from __future__ import annotations

import re

from cardkit.cli import build_parser
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CODE_LITERAL = re.compile(
    r"""["']((?:file|yaml|card|arch|tokenizer|identity|training|eval|usage|prose|config|param|"""
    r"""checkpoint|load|generate|render|check|lint)-[a-z0-9-]+)["']"""
)


def test_every_command_is_documented() -> None:
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    missing = [name for name in subparsers.choices if f"cardkit {name}" not in README]
    assert missing == []


def test_every_finding_code_is_documented() -> None:
    codes = {
        m.group(1)
        for path in (ROOT / "cardkit").rglob("*.py")
        for m in CODE_LITERAL.finditer(path.read_text())
    }
    assert codes, "the pattern found no finding codes: the test would pass vacuously"
    missing = sorted(code for code in codes if f"`{code}`" not in README)
    assert missing == []


def test_readme_states_the_two_setup_commands() -> None:
    block = README.split("## Set-up: two commands", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.strip().splitlines() if line.strip()]
    assert len(commands) == 2
    assert "cardkit validate" in commands[0]
    assert "pytest" in commands[1]
