"""Run every registered rule over one README and report the findings the file does not disable.

A file opts out of rules with an HTML comment anywhere in it (invisible when rendered):
`<!-- cardkit-lint disable=lint-mirror-url,lint-emoji-lost -->`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cardkit.core.codes import resolve
from cardkit.core.errors import UsageError
from cardkit.core.facts import ConfigReading
from cardkit.core.findings import CardReport, Finding
from cardkit.lint import RULES  # the package import registers every rule module
from cardkit.readme.document import Document
from cardkit.readme.files import read_model_config, read_readme
from cardkit.readme.parse import parse

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
    reading: ConfigReading | None = None,
) -> CardReport:
    """Lint README text; `config` is the model's parsed config.json, `repo_id` overrides the card's,
    `family` declares a README that describes several repos (their siblings are no defect), and
    `reading` is what transformers says about `config` (computed by the caller, which may import it:
    `cardkit.validate.facts_cache.reading_for`); without it only config.json's literal keys count."""
    doc = parse(text, path, config, repo_id, family, reading)
    return CardReport(path=path, model_id=described(doc), findings=lint_document(doc))


def described(doc: Document) -> str:
    """What the report names the card by: its repo id, its family, or that the README states none."""
    members = doc.identity.family
    if members:
        owner = members[0].split("/")[0]
        family = f"family of {len(members)} {owner}/ repos"
        return f"{doc.repo_id} ({family})" if doc.repo_id else family
    return doc.repo_id or "(repo id not stated)"


def lint_file(
    path: Path,
    config_path: Path | None = None,
    repo_id: str | None = None,
    family: bool = False,
    reading: ConfigReading | None = None,
) -> CardReport:
    """Lint a README file; `config_path` is read as validate reads it (cardkit.readme.files), so a
    config.json validate refuses is a usage error here too, and its warnings lead the report."""
    config, warnings = read_model_config(config_path) if config_path else (None, [])
    return lint_readme(path, config, warnings, repo_id, family, reading)


def lint_readme(
    path: Path,
    config: dict[str, Any] | None,
    warnings: list[Finding],
    repo_id: str | None = None,
    family: bool = False,
    reading: ConfigReading | None = None,
) -> CardReport:
    """Lint a README file against a config.json already read (`warnings`: what reading it found)."""
    report = lint_text(read_readme(path), str(path), config, repo_id, family, reading)
    report.findings[:0] = warnings
    return report
