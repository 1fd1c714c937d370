"""Run every registered rule over one README and report the findings the file does not disable.

A file opts out of rules with an HTML comment anywhere in it (invisible when rendered):
`<!-- cardkit-lint disable=lint-mirror-url,lint-emoji-lost -->`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from cardkit.core.codes import resolve
from cardkit.core.errors import UsageError
from cardkit.core.findings import CardReport, Finding
from cardkit.core.safe_io import UnreadableFile, read_text_bounded
from cardkit.lint import RULES  # the package import registers every rule module
from cardkit.readme.document import MAX_README_BYTES, Document, parse

DISABLE = re.compile(r"<!--\s*cardkit-lint\s+disable\s*=\s*([\w\s,-]+?)\s*-->")


def disabled_rules(text: str) -> set[str]:
    """Rule ids the file disables; an unknown id is a usage error, so a typo cannot hide a finding.
    A renamed rule's old id still disables it (the registry's redirects)."""
    ids = {
        resolve(part.strip())
        for match in DISABLE.finditer(text)
        for part in match.group(1).split(",")
        if part.strip()
    }
    unknown = sorted(ids - RULES.keys())
    if unknown:
        raise UsageError(f"cardkit-lint disable names unknown rule(s): {', '.join(unknown)}")
    return ids


def lint_document(doc: Document) -> list[Finding]:
    off = disabled_rules(doc.text)
    findings: dict[tuple[str, int | None, str], Finding] = {}
    for rule in RULES.values():
        if rule.id in off:
            continue
        for hit in rule.check(doc):
            # one finding per rule and line (a reader fixes a line at a time); file-wide ones by message
            key = (rule.id, hit.line, hit.message if hit.line is None else "")
            if key not in findings:
                findings[key] = rule.code.finding(
                    hit.message,
                    doc.path,
                    hit.line,
                    hit.column,
                    None,
                    hit.expected,
                    hit.actual,
                )
    return sorted(findings.values(), key=lambda f: (f.line or 0, f.code))


def lint_text(
    text: str,
    path: str = "README.md",
    config: dict[str, Any] | None = None,
    repo_id: str | None = None,
    family: bool = False,
) -> CardReport:
    """Lint README text; `config` is the model's parsed config.json, `repo_id` overrides the card's,
    `family` declares a README that describes several repos (their siblings are no defect)."""
    doc = parse(text, path, config, repo_id, family)
    return CardReport(path=path, model_id=described(doc), findings=lint_document(doc))


def described(doc: Document) -> str:
    """What the report names the card by: its repo id, its family, or that the README states none."""
    members = doc.identity.family
    if members:
        owner = members[0].split("/")[0]
        family = f"family of {len(members)} {owner}/ repos"
        return f"{doc.repo_id} ({family})" if doc.repo_id else family
    return doc.repo_id or "(repo id not stated)"


MAX_CONFIG_BYTES = 4 * 1024 * 1024
"""config.json is a few kilobytes; lint and import refuse one past 4 MiB."""


def parse_config(text: str) -> dict[str, Any] | str:
    """config.json as a dict, or why not in a few words (numbers and nesting `json` rejects included)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, a 5000-digit number, deep nesting
        return f"not a readable config.json ({type(exc).__name__}: {str(exc)[:200]})"
    return data if isinstance(data, dict) else "config.json must be a JSON object"


def read_config(path: Path) -> dict[str, Any]:
    """The config.json a user named, read bounded; anything unusable is a one-line usage error."""
    try:
        data = parse_config(read_text_bounded(path, MAX_CONFIG_BYTES))
    except UnreadableFile as exc:
        raise UsageError(str(exc)) from None
    if isinstance(data, str):
        raise UsageError(f"{path}: {data}")
    return data


def read_readme(path: Path) -> str:
    """README text: a regular UTF-8 file of at most MAX_README_BYTES, else a one-line usage error."""
    try:
        return read_text_bounded(path, MAX_README_BYTES)
    except UnreadableFile as exc:
        raise UsageError(str(exc)) from None


def lint_file(
    path: Path, config_path: Path | None = None, repo_id: str | None = None, family: bool = False
) -> CardReport:
    config = read_config(config_path) if config_path else None
    return lint_text(read_readme(path), str(path), config, repo_id, family)
