"""Run a shipped card's snippet, as a reader would, against a tiny local checkpoint.

The snippet's code is changed in three ways only, each of which a reader's machine would make
unnecessary: the card's repo id becomes the local checkpoint folder (tests have no network),
`.cuda()` calls are dropped (this machine has no GPU; `device_map="auto"` already places the model
on the CPU) and nothing else. The code runs in a child interpreter, which may be a throw-away
environment holding the card's stated minimum versions (`CARDKIT_SNIPPET_PYTHON`).
"""

from __future__ import annotations

import ast
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

ENVIRONMENT_VARIABLE = "CARDKIT_SNIPPET_PYTHON"
"""Path of a second interpreter (e.g. `.ci/snippet-env`'s) to run every snippet in as well."""


class _OffTheGpu(ast.NodeTransformer):
    """`x.cuda()` becomes `x`; a statement that was only `model.cuda()` becomes `model`."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "cuda" and not node.args:
            return node.func.value
        return node


def local_code(code: str, repo_id: str, checkpoint: Path) -> str:
    """The snippet with `repo_id` pointing at `checkpoint` and its GPU placement dropped."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == repo_id:
            node.value = str(checkpoint)
    return ast.unparse(ast.fix_missing_locations(_OffTheGpu().visit(tree)))


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def run_in(python: str, code: str, timeout: float = 600) -> Outcome:
    """Run `code` in `python` offline; the child sees no cardkit and no test code."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    done = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, timeout=timeout, env=env, cwd="/"
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


def importable(python: str, module: str) -> bool:
    probe = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
    return run_in(python, probe, timeout=60).returncode == 0


def versions(python: str, *distributions: str) -> str:
    """`name==version` of each distribution installed in `python`, for a failure's message."""
    code = (
        "from importlib.metadata import version, PackageNotFoundError\n"
        f"for d in {list(distributions)!r}:\n"
        "    try: print(f'{d}=={version(d)}', end=' ')\n"
        "    except PackageNotFoundError: print(f'{d} missing', end=' ')\n"
    )
    return run_in(python, code, timeout=60).stdout.strip()
