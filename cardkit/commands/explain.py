"""`cardkit explain`: what a finding code means, why it matters and how to fix it (like `ruff rule`)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from cardkit.commands.options import add_command

if TYPE_CHECKING:  # annotations only: building the parser imports no registry
    from cardkit.core.codes import Code

DESCRIPTION = """Explain a finding code: its severity, a one-line summary and what it means, why it
matters and how to fix it. A renamed code still resolves, with a note of its new id."""
EXAMPLES = (
    "cardkit explain config-mismatch",
    "cardkit explain schema-missing           # a member of the schema-* family",
    "cardkit explain --list                   # every code, one per line",
    "cardkit explain lint-mirror-url --format json",
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "explain",
        summary="explain a finding code (or list them all)",
        description=DESCRIPTION,
        examples=EXAMPLES,
    )
    parser.add_argument("code", nargs="?", metavar="CODE", help="the finding code, as reported in brackets")
    parser.add_argument("--list", action="store_true", help="list every code with severity and summary")
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (default) or json for programs",
    )
    parser.set_defaults(handler=run)


def describe(code: Code, asked: str) -> dict[str, Any]:
    """The code as data; `renamed_from` when the user named it by an old id."""
    data: dict[str, Any] = {
        "code": str(code),
        "severity": code.severity.value,
        "severities": sorted(s.value for s in code.severities),
        "summary": code.summary,
        "explanation": code.explanation,
    }
    if code.family is not None:
        data["family"] = str(code.family)
    if asked != str(code) and code.family is None:
        data["renamed_from"] = asked
    return data


def text_of(data: dict[str, Any]) -> str:
    others = [s for s in data["severities"] if s != data["severity"]]
    severity = data["severity"] + (f" (also {', '.join(others)})" if others else "")
    lines = [f"{data['code']} ({severity})"]
    if "renamed_from" in data:
        lines.append(f"{data['renamed_from']} was renamed to {data['code']}")
    if "family" in data:
        lines.append(f"one of the {data['family']} family")
    lines += ["", data["summary"], "", data["explanation"]]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from cardkit.core.codes import load_catalogue  # lazy: imports every declaring module
    from cardkit.core.errors import UsageError

    registry = load_catalogue()
    if args.list == (args.code is not None):
        raise UsageError("explain needs one CODE, or --list")
    if args.list:
        entries = [describe(code, str(code)) for code in registry]
        if args.format == "json":
            print(json.dumps(entries, indent=2, ensure_ascii=False))
        else:
            width = max(len(e["code"]) for e in entries)
            for e in entries:
                sys.stdout.write(f"{e['code']:<{width}}  {e['severity']:<7}  {e['summary']}\n")
        return 0
    code = registry.get(args.code)
    if code is None:
        close = registry.close_matches(args.code)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `cardkit explain --list` lists them"
        raise UsageError(f"unknown finding code {args.code!r}{hint}")
    data = describe(code, args.code)
    if args.format == "json":
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(text_of(data))
    return 0
