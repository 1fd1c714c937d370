"""The package's layout as data: no import cycles, each package importing only the layers below it
(as its `__init__` docstring's "Layer:" paragraph says), no module over 400 lines, and the light
entry points starting without torch.

Imports are read with `ast`, at module level and inside functions both (a lazy import is still a
dependency); `if TYPE_CHECKING:` imports count for the layers but not for cycles (they never run).
Each check is a function of a source tree, so the tests at the end plant a violation in a copy and
show the check failing on it.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cardkit"

LAYERS: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "schema": frozenset({"core"}),
    "card": frozenset({"core", "schema"}),
    "readme": frozenset({"core", "card"}),
    "model": frozenset({"core", "card"}),
    "validate": frozenset({"core", "card", "schema", "model"}),
    "lint": frozenset({"core", "schema", "readme"}),
    "render": frozenset({"core", "card", "schema"}),
    "evaluation": frozenset({"core", "card", "schema", "validate"}),
    "importing": frozenset({"core", "card", "schema", "readme", "model", "validate"}),
    "repo": frozenset({"core", "card", "schema", "readme", "validate", "lint", "render", "evaluation"}),
    "commands": frozenset(
        {"core", "card", "schema", "readme", "validate", "lint", "render", "evaluation", "importing", "repo"}
    ),
    "cli": frozenset({"core", "commands"}),
    "__main__": frozenset({"cli"}),
}
"""Package -> the cardkit packages it may import, bottom first (each row names only rows above it)."""
LAYER_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("cardkit.validate.card_rules", "cardkit.evaluation.checks"): "validate runs the evaluation card "
    "rules, which live with the evaluation code and import only core, card and schema",
    ("cardkit.render.eval_files", "cardkit.evaluation.hub_files"): "render writes the Hub's "
    "`.eval_results` files through the one module that makes them, which imports only core, card "
    "and schema",
}
"""(importer, imported module) pairs allowed against the table, each with the reason."""
HEAVY = frozenset({"torch", "transformers", "safetensors", "accelerate"})
HEAVY_OWNER = "model"
"""The only package that imports HEAVY modules (module level or inside functions)."""
MAX_LINES = 400
LINE_ALLOWANCE: frozenset[str] = frozenset()
"""Modules allowed over the limit while a split is under way (none now)."""
LIGHT_ENTRY_POINTS = ("cardkit.validate", "cardkit.lint", "cardkit.render")
"""Imported on every run (`cardkit.validate` is all a cached card needs): never torch."""


@dataclass(frozen=True)
class Import:
    importer: str
    target: str
    line: int
    in_function: bool
    type_checking: bool


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted(root.rglob("*.py"))}


def package_of(module: str) -> str:
    """`cardkit.validate.checks` -> `validate`; the top-level modules (`cardkit.cli`) are their own."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "cardkit"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, in_function: bool, type_checking: bool) -> Iterator[tuple[ast.AST, bool, bool]]:
    for child in ast.iter_child_nodes(node):
        function = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        yield child, function, type_checking
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for item in child.body:
                yield item, function, True
                yield from _walk(item, function, True)
            for item in child.orelse:
                yield item, function, type_checking
                yield from _walk(item, function, type_checking)
        else:
            yield from _walk(child, function, type_checking)


def imports_of(module: str, path: Path, known: set[str]) -> list[Import]:
    """Every import in `path`, resolved to a module of `known` (a submodule named in `from x import
    y` is that submodule) or left as the third-party name it is."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node, in_function, type_checking in _walk(tree, False, False):
        targets: list[str] = []
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            subs = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known]
            targets = subs + ([base] if len(subs) < len(node.names) else [])
        found += [Import(module, t, node.lineno, in_function, type_checking) for t in targets]
    return found


def all_imports(root: Path) -> list[Import]:
    found = modules(root)
    return [item for name, path in found.items() for item in imports_of(name, path, set(found))]


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules importing it runs: the target and the packages above it that the
    importer is not already inside (`from cardkit.validate.x import y` runs `cardkit/validate/__init__`)."""
    names = set(modules(root))
    graph: dict[str, set[str]] = {name: set() for name in names}
    for item in all_imports(root):
        if item.type_checking or item.target not in names:
            continue
        parts = item.target.split(".")
        for depth in range(2, len(parts) + 1):
            ancestor = ".".join(parts[:depth])
            inside = item.importer == ancestor or item.importer.startswith(ancestor + ".")
            if ancestor in names and ancestor != item.importer and not inside:
                graph[item.importer].add(ancestor)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One shortest cycle through each strongly connected component that has one (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:  # recursion depth is bounded by the module count (~150)
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.add(item)
                if item == node:
                    break
            if len(component) > 1 or node in graph[node]:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_shortest_cycle(graph, component) for component in components]


def _shortest_cycle(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    start = min(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & component):
                if nxt == start:
                    return [*paths[node], start]
                if nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    following.append(nxt)
        frontier = following
    return [start]


def layer_violations(root: Path) -> list[str]:
    """Imports a package's row does not allow, HEAVY modules outside model, and cardkit.model
    imported at module level outside model (TID253's rule, restated so it is tested)."""
    problems = []
    for item in all_imports(root):
        source = package_of(item.importer)
        where = f"{item.importer}:{item.line} imports {item.target}"
        top = item.target.split(".")[0]
        if top in HEAVY and source != HEAVY_OWNER:
            problems.append(f"{where}: only cardkit.{HEAVY_OWNER} may import {top}")
        if top != "cardkit" or item.target == "cardkit":
            continue
        target = package_of(item.target)
        if target == source or (item.importer, item.target) in LAYER_EXCEPTIONS:
            continue
        if target not in LAYERS.get(source, frozenset()):
            problems.append(f"{where}: {source} may import only {sorted(LAYERS.get(source, ()))}")
        elif target == HEAVY_OWNER and not item.in_function and not item.type_checking:
            problems.append(f"{where}: cardkit.{HEAVY_OWNER} only inside the function that needs it")
    return problems


def layer_paragraph(init: Path) -> str | None:
    """The "Layer:" paragraph of a package's docstring, up to its first blank line."""
    docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
    match = re.search(r"^Layer:.*?(?=\n\s*\n|\Z)", docstring, re.S | re.M)
    return match.group(0) if match else None


def docstring_mismatches(root: Path) -> list[str]:
    """Packages whose "Layer:" paragraph names other cardkit packages than the table allows: the
    `cardkit.x` names written before the word "never" are what the package may import."""
    problems = []
    for package, allowed in LAYERS.items():
        init = root / package / "__init__.py"
        if not init.exists():
            continue
        paragraph = layer_paragraph(init)
        if paragraph is None:
            problems.append(f"cardkit/{package}/__init__.py has no 'Layer:' paragraph")
            continue
        permitted = paragraph.split("never", 1)[0]
        named = set(re.findall(r"`cardkit\.(\w+)", permitted)) - {package}
        excepted = {package_of(t) for (i, t) in LAYER_EXCEPTIONS if package_of(i) == package}
        if named != allowed | excepted:
            problems.append(
                f"cardkit/{package}/__init__.py names {sorted(named)}; the table allows "
                f"{sorted(allowed | excepted)}"
            )
    return problems


def oversized(root: Path) -> list[str]:
    """Modules over MAX_LINES not on the allowance, and allowance entries no longer needed."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and relative not in LINE_ALLOWANCE:
            problems.append(f"{relative}: {lines} lines (at most {MAX_LINES}: split it by responsibility)")
        elif lines <= MAX_LINES and relative in LINE_ALLOWANCE:
            problems.append(f"{relative}: {lines} lines now; remove it from LINE_ALLOWANCE")
    return problems


def heavy_after_import(statement: str, root: Path = ROOT) -> list[str]:
    """The HEAVY modules in sys.modules after running `statement` in a fresh interpreter that
    imports cardkit from `root` (the folder holding the `cardkit` package)."""
    report = f"print(' '.join(sorted(m for m in {sorted(HEAVY)!r} if m in sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(root)}
    result = subprocess.run(
        [sys.executable, "-c", f"import sys\n{statement}\n{report}"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.split()


# --- the checks on cardkit itself ---------------------------------------------------------------


def test_no_import_cycles() -> None:
    found = cycles(import_graph(PACKAGE))
    assert found == [], "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_the_layer_table_is_ordered() -> None:
    """Each row names only packages of earlier rows, so the table itself has no cycle."""
    seen: set[str] = set()
    for package, allowed in LAYERS.items():
        assert allowed <= seen, f"{package} may import {sorted(allowed - seen)}, not below it"
        seen.add(package)


def test_every_package_imports_only_the_layers_below_it() -> None:
    problems = layer_violations(PACKAGE)
    assert problems == [], "\n".join(problems)


def test_layer_docstrings_match_the_table() -> None:
    problems = docstring_mismatches(PACKAGE)
    assert problems == [], "\n".join(problems)


def test_every_package_is_in_the_table() -> None:
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    tops = {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    assert packages | tops <= set(LAYERS)


def test_no_module_over_the_line_limit() -> None:
    problems = oversized(PACKAGE)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("entry_point", LIGHT_ENTRY_POINTS)
def test_light_entry_points_do_not_import_torch(entry_point: str) -> None:
    assert heavy_after_import(f"import {entry_point}") == []


# --- each check fails on a planted violation ----------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package to plant a violation in."""
    shutil.copytree(PACKAGE, tmp_path / "cardkit", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "cardkit"


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_function_level_import_cycle_is_reported(tree: Path) -> None:
    _append(tree / "card" / "paths.py", "\n\ndef _planted() -> None:\n    import cardkit.card.load\n")
    _append(tree / "card" / "load.py", "\nfrom cardkit.card import paths as _planted_paths\n")
    found = cycles(import_graph(tree))
    assert ["cardkit.card.load", "cardkit.card.paths", "cardkit.card.load"] in found


def test_a_type_checking_import_is_no_cycle(tree: Path) -> None:
    planted = "\nif TYPE_CHECKING:\n    from cardkit.core.isolation import isolated\n"
    _append(tree / "core" / "errors.py", planted)
    assert cycles(import_graph(tree)) == []


def test_an_upward_import_is_a_layer_violation(tree: Path) -> None:
    _append(tree / "model" / "model_config.py", "\nfrom cardkit.validate import parameters as _planted\n")
    assert [p for p in layer_violations(tree) if "model_config" in p] == [
        f"cardkit.model.model_config:{_last_line(tree / 'model' / 'model_config.py')} imports "
        f"cardkit.validate.parameters: model may import only ['card', 'core']"
    ]


def test_torch_outside_model_and_model_at_module_level_are_violations(tree: Path) -> None:
    _append(tree / "render" / "engine.py", "\n\ndef _planted() -> None:\n    import torch\n")
    _append(tree / "validate" / "checks.py", "\nimport cardkit.model.meta_model\n")
    problems = layer_violations(tree)
    assert any("render.engine" in p and "only cardkit.model may import torch" in p for p in problems)
    assert any("validate.checks" in p and "only inside the function" in p for p in problems)


def test_a_wrong_layer_docstring_is_reported(tree: Path) -> None:
    init = tree / "readme" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8").replace("`cardkit.card`", "`cardkit.lint`"))
    assert docstring_mismatches(tree) == [
        "cardkit/readme/__init__.py names ['core', 'lint']; the table allows ['card', 'core']"
    ]


def test_an_oversized_module_is_reported(tree: Path) -> None:
    _append(tree / "core" / "errors.py", "\n" * MAX_LINES)
    assert [p.split(":")[0] for p in oversized(tree)] == ["cardkit/core/errors.py"]


def test_an_entry_point_importing_torch_is_reported(tree: Path) -> None:
    _append(tree / "lint" / "registry.py", "\nimport torch  # planted\n")
    assert "torch" in heavy_after_import("import cardkit.lint", tree.parent)
    assert heavy_after_import("import cardkit.render", tree.parent) == []


def _last_line(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())
