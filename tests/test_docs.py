"""The README is the user's manual: every command and every finding code must be in it."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

from cardkit.cli import build_parser
from cardkit.core.codes import load_catalogue
from cardkit.core.codes_doc import prefix_of, tabled_prefixes, update_tables
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
REGISTRY = load_catalogue()


def test_every_command_is_documented() -> None:
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    missing = [name for name in subparsers.choices if f"cardkit {name}" not in README]
    assert missing == []


def test_every_finding_code_is_documented() -> None:
    """The codes come from the registry, where every emitted code must be declared."""
    assert len(REGISTRY.codes) >= 170, "the registry lost its codes: the test would pass vacuously"
    missing = sorted(code for code in REGISTRY.codes if f"| `{code}` |" not in README)
    assert missing == []


def test_the_code_tables_are_generated_from_the_registry() -> None:
    """Stale after a code, severity or summary changed: `python -m cardkit.core.codes_doc README.md`."""
    assert update_tables(README) == README


def test_the_tables_do_not_depend_on_import_order() -> None:
    """The registry fills as modules are imported; the tables follow the catalogue, not that order."""
    code = (
        "import cardkit.lint, cardkit.repo.codes, cardkit.model.codes, cardkit.validate.codes; "
        "from pathlib import Path; from cardkit.core.codes_doc import update_tables; "
        "text = Path('README.md').read_text(encoding='utf-8'); assert update_tables(text) == text, 'order'"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_code_prefix_is_in_exactly_one_table() -> None:
    tabled = Counter(tabled_prefixes(README))
    assert {prefix: n for prefix, n in tabled.items() if n != 1} == {}
    assert {prefix_of(code) for code in REGISTRY.codes} == set(tabled)


def test_a_stale_table_is_detected() -> None:
    stale = README.replace("| `config-mismatch` | error |", "| `config-mismatch` | warning |")
    assert stale != README and update_tables(stale) == README


def test_readme_states_the_two_setup_commands() -> None:
    block = README.split("## Set-up: two commands", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.strip().splitlines() if line.strip()]
    assert len(commands) == 2
    assert "cardkit validate" in commands[0]
    assert "pytest" in commands[1]
