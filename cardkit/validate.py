"""`cardkit validate` as a library call: schema, card rules, config.json and the meta-device build."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardkit import facts_cache
from cardkit.card_file import LoadedCard, discover, display_path, load_card
from cardkit.config_check import compare_config, compare_meta, compare_raw_config
from cardkit.findings import CardReport, Severity
from cardkit.model_config import raw_config_facts, read_config_json
from cardkit.rules import check_rules


@dataclass(frozen=True)
class ValidateOptions:
    model: bool = True
    """Read config.json through transformers and build the meta-device model (imports torch).

    Without it, config.json is still compared, but only on the keys it states explicitly.
    """
    cache: bool = True
    """Reuse the facts computed for an identical config.json (see `cardkit.facts_cache`)."""


def validate_card(path: Path, options: ValidateOptions = ValidateOptions()) -> CardReport:
    loaded = load_card(path)
    report = CardReport(display_path(path), findings=list(loaded.findings))
    if loaded.card is None:
        return report
    report.model_id = loaded.card.identity.repo_id
    report.parameters.claimed = loaded.card.architecture.parameters.count
    report.findings += check_rules(loaded)
    _check_against_config(loaded, report, options)
    return report


def _check_against_config(loaded: LoadedCard, report: CardReport, options: ValidateOptions) -> None:
    config_path = loaded.folder / loaded.card.config
    config_display = display_path(config_path)
    if not config_path.resolve().is_relative_to(loaded.folder.resolve()):
        message = f"{config_display} resolves outside the card's folder"
        report.findings.append(loaded.finding("config-outside-card", Severity.ERROR, message, ("config",)))
        return
    data, findings = read_config_json(config_path, config_display)
    report.findings += findings
    if data is None:
        return
    if options.model:
        _check_against_model(loaded, report, data, config_display, options.cache)
    else:
        report.findings += compare_raw_config(loaded, raw_config_facts(data))


def _check_against_model(
    loaded: LoadedCard, report: CardReport, data: dict[str, Any], display: str, use_cache: bool
) -> None:
    key = facts_cache.cache_key(data)
    cached = facts_cache.load(key, display) if use_cache else None
    if cached is None:
        from cardkit.meta_model import meta_facts  # noqa: PLC0415 - imports torch
        from cardkit.model_config import build_config, facts_from_config  # noqa: PLC0415

        config, findings = build_config(data, display)
        if config is None:
            report.findings += findings
            return
        cached = (facts_from_config(config), meta_facts(config), findings)
        facts_cache.store(key, *cached)
    config_facts, meta, findings = cached
    report.findings += findings
    report.findings += compare_config(loaded, config_facts)
    report.parameters.computed = meta.parameters
    report.findings += compare_meta(loaded, meta)


def validate_paths(
    paths: Iterable[str | Path], options: ValidateOptions = ValidateOptions()
) -> list[CardReport]:
    """Validate every card under `paths`; raises UsageError only when a path does not exist."""
    return [validate_card(path, options) for path in discover(paths)]


def exit_code(reports: list[CardReport]) -> int:
    return 1 if any(f.severity is Severity.ERROR for r in reports for f in r.findings) else 0
