"""The README's tables of finding codes, generated from the registry (as ruff generates its docs).

Each table sits between marker comments naming the code prefixes it holds:

    <!-- cardkit-codes: checkpoint load generate -->
    | code | severity | meaning |
    ...
    <!-- /cardkit-codes -->

`update_tables(text)` rewrites every marked table from the registry; `python -m cardkit.core.codes_doc
[README.md]` writes the result back, and a test fails while the committed README differs from it.
Every declared code belongs to exactly one table.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from cardkit.core.codes import Code, Registry, load_catalogue

TABLE = re.compile(r"(<!-- cardkit-codes: ([a-z0-9* -]+?) -->\n)(.*?)(<!-- /cardkit-codes -->)", re.S)
HEADER = "| code | severity | meaning |\n|---|---|---|\n"


def prefix_of(code: str) -> str:
    """The family a code is tabled under: its first word (`config` for `config-mismatch`)."""
    return code.split("-", 1)[0]


def codes_for(registry: Registry, prefixes: list[str]) -> list[Code]:
    """The declared codes whose first word is one of `prefixes`, in the order the prefixes are given
    and, within one, in catalogue order (the order their modules present them)."""
    ordered = registry.in_catalogue_order()
    return [code for prefix in prefixes for code in ordered if prefix_of(code) == prefix]


def row(code: Code) -> str:
    summary = code.summary.replace("|", "\\|")
    return f"| `{code}` | {code.severity.value} | {summary} |\n"


def table(codes: list[Code]) -> str:
    return HEADER + "".join(map(row, codes))


def update_tables(text: str, registry: Registry | None = None) -> str:
    """`text` with every marked table regenerated from the registry."""
    registry = registry or load_catalogue()

    def regenerate(match: re.Match[str]) -> str:
        prefixes = match.group(2).split()
        return match.group(1) + table(codes_for(registry, prefixes)) + match.group(4)

    return TABLE.sub(regenerate, text)


def tabled_prefixes(text: str) -> list[str]:
    """Every prefix the marked tables of `text` name, once per table that names it."""
    return [prefix for match in TABLE.finditer(text) for prefix in match.group(2).split()]


def main(argv: list[str] | None = None) -> int:
    """Rewrite the README's code tables in place; exit 1 when it changed (for CI and hooks)."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "README.md")
    text = path.read_text(encoding="utf-8")
    updated = update_tables(text)
    if updated == text:
        print(f"{path}: code tables current")
        return 0
    path.write_text(updated, encoding="utf-8")
    print(f"{path}: code tables rewritten from the registry")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
