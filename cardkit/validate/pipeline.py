"""`cardkit validate` as a library call: schema, card rules, config.json and the meta-device build.

This module stays light (no pydantic, no torch) so that a card whose report is cached costs a few
file reads; `cardkit.validate.checks` holds the checks themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from cardkit.card.paths import discover, display_path, path_problem
from cardkit.core.errors import UsageError
from cardkit.core.findings import CardReport, Severity
from cardkit.core.gc_policy import full_collections_paused
from cardkit.core.isolation import isolated, unreadable
from cardkit.validate.options import DEFAULT_OPTIONS, ValidateOptions

if TYPE_CHECKING:
    from cardkit.validate.report_cache import Dependencies

    CheckCard = Callable[[Path, ValidateOptions], tuple[CardReport, Dependencies]]


def validate_card(path: Path, options: ValidateOptions = DEFAULT_OPTIONS) -> CardReport:
    """Every finding for one card file, computed afresh (no report cache)."""
    return _check_card()(path, options)[0]


def _check_card() -> CheckCard:
    """`cardkit.validate.checks.check_card`, imported (building the schema: pydantic's objects,
    which live as long as the process) with full collections paused, so the command never rescans
    them."""
    with full_collections_paused():
        from cardkit.validate.checks import check_card  # lazy: builds the schema

    return check_card


def _cacheable(options: ValidateOptions) -> bool:
    """Weights, loading and generation measure things outside the card's files: always run them."""
    return options.cache and options.checkpoint is None and not (options.load or options.generate)


def _validate_cached(path: Path, options: ValidateOptions) -> CardReport:
    from cardkit.validate import report_cache  # lazy: hashing and the cache's files, only when used

    def compute() -> tuple[CardReport, report_cache.Dependencies]:
        return _check_card()(path, options)

    return report_cache.cached(path, display_path(path), (options.model,), compute)


def validate_paths(
    paths: Iterable[str | Path], options: ValidateOptions = DEFAULT_OPTIONS
) -> list[CardReport]:
    """Validate every card under `paths`; raises UsageError when a path does not exist, or when a
    checkpoint is given for anything but exactly one card (one folder of weights has one card)."""
    cards = discover(paths)
    if options.checkpoint is not None and len(cards) != 1:
        raise UsageError(f"--checkpoint needs exactly one card; {len(cards)} given")
    if options.checkpoint is not None and not options.model:
        raise UsageError("--checkpoint compares with the meta-device architecture; drop --no-model")
    if (options.load or options.generate) and options.checkpoint is None:
        raise UsageError("--load and --generate need --checkpoint DIR")
    check = _validate_cached if _cacheable(options) else validate_card
    return [_validate_isolated(path, options, check) for path in cards]


def _validate_isolated(
    path: Path, options: ValidateOptions, check: Callable[[Path, ValidateOptions], CardReport]
) -> CardReport:
    """One card's report; a card that cannot be read, or that cardkit fails on, is a finding."""
    display = display_path(path)
    if (problem := path_problem(path)) is not None:
        return CardReport(display, findings=[unreadable(path, problem)])
    return isolated(display, lambda: check(path, options), lambda f: CardReport(display, findings=[f]))


def exit_code(reports: list[CardReport]) -> int:
    return 1 if any(f.severity is Severity.ERROR for r in reports for f in r.findings) else 0
