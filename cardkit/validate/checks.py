"""The checks behind `cardkit validate`: schema, card rules, config.json, meta device and weights.

Importing this module builds the Pydantic schema; `cardkit.validate.pipeline` imports it only when
a card actually has to be checked (not when its report comes from the cache).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardkit.card.config_json import ConfigFile, read_config
from cardkit.card.load import CheckedCard, FailedLoad, load_card
from cardkit.card.paths import display_path
from cardkit.core.findings import CardReport, Finding
from cardkit.validate.card_rules import check_rules
from cardkit.validate.codes import CONFIG_INVALID_PATH, CONFIG_OUTSIDE_CARD
from cardkit.validate.parameters import compare_checkpoint, compare_loaded
from cardkit.validate.raw_facts import compare_raw

if TYPE_CHECKING:
    from cardkit.validate.options import ValidateOptions
    from cardkit.validate.report_cache import Dependencies


def check_card(path: Path, options: ValidateOptions) -> tuple[CardReport, Dependencies]:
    """The report, and snapshots of the files besides the card it read (for the report cache).

    config.json is snapshotted before it is read, so the cache can tell whether it changed meanwhile.
    """
    loaded = load_card(path)
    report = CardReport(display_path(path), findings=list(loaded.findings))
    if isinstance(loaded, FailedLoad):
        return report, []
    config_path = loaded.folder / loaded.card.config
    config = None
    if options.cache:
        from cardkit.validate.report_cache import snapshot  # lazy: hashing, only with the cache

        config = snapshot(config_path, loaded.folder)
    report.model_id = loaded.card.identity.repo_id
    report.parameters.claimed = loaded.card.architecture.parameters.count
    report.findings += check_rules(loaded)
    data = _check_against_config(loaded, report, options)
    if data is not None and options.checkpoint is not None:
        _check_weights(loaded, report, data, options)
    return report, None if config is None else [config]


def _check_against_config(
    loaded: CheckedCard, report: CardReport, options: ValidateOptions
) -> dict[str, Any] | None:
    """Compare the card with its config.json; returns the config mapping when it could be read."""
    config_path = loaded.folder / loaded.card.config
    config_display = display_path(config_path)
    try:
        inside = config_path.resolve().is_relative_to(loaded.folder.resolve())
    except (OSError, ValueError, RuntimeError) as exc:  # a NUL byte, a symlink loop
        message = f"config path {loaded.card.config!r} cannot be resolved: {exc}"
        report.findings.append(loaded.finding(CONFIG_INVALID_PATH, message, ("config",)))
        return None
    if not inside:
        message = f"{config_display} resolves outside the card's folder"
        report.findings.append(loaded.finding(CONFIG_OUTSIDE_CARD, message, ("config",)))
        return None
    source = read_config(config_path, config_display)
    report.findings += source.findings
    if source.data is None:
        return None
    if options.model:
        _check_against_model(loaded, report, source, options.cache)
    else:
        report.findings += compare_raw(loaded, source.data, "--no-model")
    return source.data


def _check_against_model(
    loaded: CheckedCard, report: CardReport, source: ConfigFile, use_cache: bool
) -> None:
    from cardkit.validate.fact_check import compare_facts
    from cardkit.validate.facts_cache import facts_for  # lazy: the model path only, not --no-model

    assert source.data is not None
    facts, findings = facts_for(source, use_cache)
    if facts is None:
        report.findings += _remote_code(loaded, source.data, findings)
        return
    report.findings += findings
    report.parameters.computed = facts.values.get("parameters.count")
    report.findings += compare_facts(loaded, facts.values, facts.undetermined)


def _remote_code(loaded: CheckedCard, data: dict[str, Any], findings: list[Finding]) -> list[Finding]:
    """A model_type only the repository's code defines: checked from config.json's keys alone, with
    a note that the exact count needs that code (`--trust-remote-code`); nothing runs otherwise."""
    from cardkit.card.codes import CONFIG_REMOTE_CODE

    if [f.code for f in findings] != [CONFIG_REMOTE_CODE]:
        return findings
    note = replace(
        findings[0],
        severity=CONFIG_REMOTE_CODE.severity,
        message=findings[0].message + "; checked from config.json's keys alone, the exact parameter count "
        "needs the repository's code (--trust-remote-code)",
    )
    return [note, *compare_raw(loaded, data, f"model_type {data['model_type']!r} is repository code")]


def _check_weights(
    loaded: CheckedCard, report: CardReport, data: dict[str, Any], options: ValidateOptions
) -> None:
    """--checkpoint, then --load and --generate, each adding findings and figures to the report."""
    from cardkit.model.checkpoint import check_checkpoint, config_dtype  # lazy: --checkpoint only
    from cardkit.model.codes import BLOCKING_CODES, LOAD_SKIPPED

    assert options.checkpoint is not None
    built: list[Any] = []

    def build() -> Any:  # only when the expected state is not cached, or to load: imports transformers
        from cardkit.model.model_config import build_config

        if not built:
            built.append(build_config(data, display_path(loaded.folder / loaded.card.config))[0])
        return built[0]

    result = check_checkpoint(options.checkpoint, data, build, options.cache)
    if result is None:
        return  # the config stage already reported why
    findings = result.findings
    if result.stored_parameters is not None:
        findings = findings + compare_checkpoint(loaded, result.stored_parameters)
    report.findings += findings
    report.runtime = {"checkpoint": result.figures}
    if not (options.load or options.generate):
        return
    if blocking := sorted({f.code for f in findings} & BLOCKING_CODES):
        message = f"not loaded: the checkpoint's files are unusable ({', '.join(blocking)})"
        report.findings.append(
            LOAD_SKIPPED.finding(message, display_path(options.checkpoint))
        )
        return
    if (config := build()) is not None:
        _load_and_generate(loaded, report, config, config_dtype(data), options)


def _load_and_generate(
    loaded: CheckedCard, report: CardReport, config: Any, dtype: str | None, options: ValidateOptions
) -> None:
    from cardkit.model.loaded_model import load_and_check  # lazy: imports torch and transformers
    from cardkit.model.smoke_test import run_smoke_test

    assert options.checkpoint is not None and report.runtime is not None
    size = report.runtime["checkpoint"].get("data_bytes") or 0
    model, findings = load_and_check(
        loaded, options.checkpoint, config, dtype, size, options.trust_remote_code
    )
    report.findings += findings
    if model is None:
        return
    report.findings += compare_loaded(loaded, model.counts.parameters)
    report.runtime["load"] = model.figures
    if options.generate:
        findings, figures = run_smoke_test(loaded, options.checkpoint, model.model, options.trust_remote_code)
        report.findings += findings
        if figures:
            report.runtime["generate"] = figures
