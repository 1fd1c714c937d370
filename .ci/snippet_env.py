"""Build a throw-away environment holding the shipped cards' stated minimum versions.

`tests/test_snippets_run.py` runs every shipped snippet in it as well (`CARDKIT_SNIPPET_PYTHON`),
so a card that says `transformers>=4.38` above code needing 4.56 fails CI, not its readers.

Each package a card states with a lower bound is installed at exactly that bound; one stated without
a bound gets its newest release, as a reader's `pip install` would. torch is the exception: cards
state it without a bound and this machine installs the CPU build from its own disk (an unpinned
torch pulls a multi-GB CUDA build), so it is pinned like `.ci/run` pins it. A snippet's own extras
(flash-attn) need a GPU to build and are left out; the test skips those snippets, saying so.

Usage: python3 .ci/snippet_env.py FOLDER  (prints FOLDER/bin/python when done)
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

TORCH = "torch==2.13.0"


def stated_minimums(cards: Path) -> list[str]:
    """One pin per package across every card; cards that disagree on a minimum stop the build."""
    pins: dict[str, set[str]] = {}
    for card in sorted(cards.glob("*/card.yaml")):
        usage = yaml.safe_load(card.read_text(encoding="utf-8"))["usage"]
        for line in usage.get("requirements", []):
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            bounds = [s.version for s in requirement.specifier if s.operator in (">=", "==", "~=")]
            pins.setdefault(name, set()).add(f"{name}=={max(bounds)}" if bounds else name)
    if disagreeing := {name: sorted(found) for name, found in pins.items() if len(found) > 1}:
        sys.exit(f"cards state different minimums, one environment cannot hold them: {disagreeing}")
    return [TORCH if name == "torch" else found.pop() for name, found in sorted(pins.items())]


def main() -> None:
    folder = Path(sys.argv[1])
    pins = stated_minimums(Path(__file__).resolve().parent.parent / "cards")
    venv.create(folder, clear=True, with_pip=True)
    python = folder / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", *pins], check=True)
    print(python)


if __name__ == "__main__":
    main()
