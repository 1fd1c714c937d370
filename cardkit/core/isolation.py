"""One file's failure is that file's finding: the rest of the run is still checked and reported.

Every command that works through many inputs (validate's cards, check's folders, render's cards,
lint's and import's README) runs each through `isolated`. A file cardkit cannot read becomes a
`file-unreadable` finding naming it, an operating-system error (disk full, permission denied) an
`io-error` finding; any other exception from inside cardkit becomes an
`internal-error` finding naming the input, instead of a traceback that also hides every other
card's verdict. Ctrl-C (`KeyboardInterrupt`) and `SystemExit` still stop the run, and a missing
`cardkit[model]` install stays a usage error for the whole run. `CARDKIT_DEBUG=1` re-raises, so the
traceback is there for whoever debugs cardkit itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from cardkit.core.codes import FILE_UNREADABLE, INPUT_ERROR, INTERNAL_ERROR, IO_ERROR
from cardkit.core.display import display_path
from cardkit.core.errors import CardkitError, MissingDependencyError
from cardkit.core.findings import CardReport, Finding
from cardkit.core.safe_io import UnreadableFile

T = TypeVar("T")

MAX_DETAIL = 200
"""Characters of the exception's text kept in the finding: enough to recognise it, one line."""


def debugging() -> bool:
    return bool(os.environ.get("CARDKIT_DEBUG"))


def unreadable(path: Path, reason: str) -> Finding:
    """`path` named as an input but not a readable regular file (a directory, a FIFO, missing)."""
    return FILE_UNREADABLE.finding(f"cannot read this file: {reason}", display_path(path))


def describe(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:  # an exception whose __str__ fails still gets reported
        text = ""
    first = text.splitlines()[0] if text.strip() else ""
    if len(first) > MAX_DETAIL:
        first = first[:MAX_DETAIL] + "…"
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def internal_error(display: str, exc: BaseException) -> Finding:
    """cardkit itself failed on this input: a bug to report, not a verdict on the card."""
    return INTERNAL_ERROR.finding(
        f"cardkit failed while checking this file ({describe(exc)}); the other files were still "
        "checked. Rerun with CARDKIT_DEBUG=1 for the traceback and report it",
        display,
    )


def finding_for(display: str, exc: Exception) -> Finding:
    """The finding that stands for `exc` raised while working on the input shown as `display`."""
    if isinstance(exc, UnreadableFile):
        return unreadable(exc.path, exc.reason)
    if isinstance(exc, CardkitError):
        return INPUT_ERROR.finding(str(exc), display)
    if isinstance(exc, OSError):  # disk full, permission denied: the system's answer, not a bug
        where = display_path(Path(exc.filename)) if isinstance(exc.filename, str) else display
        return IO_ERROR.finding(f"{exc.strerror or describe(exc)}", where)
    return internal_error(display, exc)


def isolated(
    display: str,
    work: Callable[[], T],
    on_error: Callable[[Finding], T],
    propagate: tuple[type[Exception], ...] = (MissingDependencyError,),
) -> T:
    """`work()`, or `on_error(finding)` when it raises anything but an interrupt or `propagate`.

    A single-input command passes `UsageError` in `propagate`, so that its documented usage errors
    (exit 2) stay what they were; a many-input loop reports them per input instead.
    """
    try:
        return work()
    except propagate:
        raise
    except Exception as exc:
        if debugging():
            raise
        return on_error(finding_for(display, exc))


def failure_report(display: str) -> Callable[[Finding], CardReport]:
    """`on_error` for commands that report per input: the failure as that input's one finding."""

    def report(finding: Finding) -> CardReport:
        return CardReport(display, findings=[finding])

    return report
