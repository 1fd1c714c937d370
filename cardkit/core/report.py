"""Print findings as text for people, JSON for programs, or GitHub Actions annotations for CI."""

from __future__ import annotations

import json
import re
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any, TextIO

from cardkit.core.findings import CardReport, Finding, Severity
from cardkit.core.json_values import MAX_INT_BITS, json_safe

_FINDING_FIELDS = tuple(f.name for f in fields(Finding))

_UNPRINTABLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
"""Control characters (but tab), line separators and lone surrogates (which no terminal can encode):
a card value holding a line break could otherwise start a line of its own."""
_COMMAND_START = re.compile(r"\A([\s\u180e\u200b\ufeff]*)::")
"""A GitHub Actions runner trims leading white space, then runs a line starting with `::`."""


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return named.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def plain(text: object) -> str:
    """`text` on one line: control characters and line breaks spelled as escapes (`\\n`)."""
    return _UNPRINTABLE.sub(_escape_char, str(text))


def guard_line(line: str) -> str:
    """A line an Actions runner prints as it is: never a workflow command.

    The runner reads `::command::` at the start of a line (after white space) and the older
    `##[command]` anywhere in it; a backslash before either keeps the text readable and inert.
    """
    line = _COMMAND_START.sub(lambda m: f"{m.group(1)}\\::", line, count=1)
    return line.replace("##[", "##\\[")


def safe_text(lines: list[str]) -> str:
    """Lines joined for printing, each one made `plain` and guarded: text output's last step."""
    return "".join(guard_line(plain(line)) + "\n" for line in lines)


def _where(finding: Finding) -> str:
    parts = [finding.file]
    if finding.line is not None:
        parts.append(str(finding.line))
        if finding.column is not None:
            parts.append(str(finding.column))
    return ":".join(parts)


def _count(value: object) -> str:
    """`12,345` for an int of any size (past 4,300 digits `format` raises), `str` for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        bits = value.bit_length()
        return f"<integer of {bits:,} bits>" if bits > MAX_INT_BITS else f"{value:,}"
    return str(value)


def _parameters_line(report: CardReport) -> str | None:
    claimed, computed = report.parameters.claimed, report.parameters.computed
    if claimed is None:
        return None
    if computed is None:
        return f"  parameters: claimed {_count(claimed)} (not computed)"
    difference = computed - claimed if isinstance(claimed, int) and isinstance(computed, int) else None
    if difference == 0:
        verdict = "exact match"
    else:
        verdict = f"difference {'+' if difference is not None and difference > 0 else ''}{_count(difference)}"
    return f"  parameters: claimed {_count(claimed)}, computed {_count(computed)} ({verdict})"


def _gib(size: int | None) -> str:
    return "?" if size is None else f"{size / 2**30:.2f} GiB"


def _runtime_lines(report: CardReport) -> list[str]:
    """One line per stage that ran: what --checkpoint read, what --load built, what --generate timed."""
    runtime = report.runtime or {}
    lines = []
    if ckpt := runtime.get("checkpoint"):
        params = ckpt.get("parameters")
        counted = f", {params:,} parameters" if params is not None else ""
        dtypes = "/".join(ckpt.get("dtypes") or {}) or "-"
        lines.append(
            f"  checkpoint: {ckpt['tensors']} tensors in {ckpt['shards']} {ckpt['format']} shard(s){counted} "
            f"({dtypes}); headers read in {ckpt['seconds']:.3f} s"
        )
    if load := runtime.get("load"):
        device_peak = (
            f", peak device {_gib(load['peak_device_bytes'])}" if "peak_device_bytes" in load else ""
        )
        lines.append(
            f"  load: {load['parameters']:,} parameters, {load['num_layers']} layers, "
            f"{load['num_attention_heads']} heads, {load['num_kv_heads']} KV heads on {load['device']} in "
            f"{load['seconds']:.2f} s; peak host RSS {_gib(load['peak_host_rss_bytes'])}{device_peak}"
        )
    if gen := runtime.get("generate"):
        rate = f", {gen['tokens_per_s']:.1f} tokens/s" if gen.get("tokens_per_s") else ""
        lines.append(
            f"  generate: {gen['new_tokens']} new tokens after a {gen['prompt_tokens']}-token prompt; "
            f"first token in {gen['time_to_first_token_s']:.3f} s{rate} (seed {gen['seed']})"
        )
    return lines


def format_text(reports: list[CardReport], noun: str = "card") -> str:
    """Lines for people; every value is `plain` and no line can be read as a workflow command."""
    lines: list[str] = []
    for report in reports:
        status = "FAIL" if report.has_errors else "ok"
        lines.append(f"{report.path}: {report.model_id or '(unreadable card)'} [{status}]")
        if params := _parameters_line(report):
            lines.append(params)
        lines += _runtime_lines(report)
        for f in report.findings:
            field = f" {f.field}:" if f.field else ""
            lines.append(f"  {_where(f)}: {f.severity.value} [{f.code}]{field} {f.message}")
    lines.append(_summary(reports, noun))
    return safe_text(lines)


def _summary(reports: list[CardReport], noun: str) -> str:
    """`noun` names what each report is about: a card for validate, a README for lint, a folder for check."""
    counts = {s: sum(f.severity is s for r in reports for f in r.findings) for s in Severity}
    return (
        f"{len(reports)} {noun}(s): {counts[Severity.ERROR]} error(s), "
        f"{counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} note(s)"
    )


def _report_data(report: CardReport) -> dict[str, Any]:
    """`CardReport.to_dict`, with every value made `json_safe` (findings without a deep copy)."""
    data = replace(report, findings=[]).to_dict()
    data["findings"] = [
        {
            **{name: json_safe(getattr(f, name)) for name in _FINDING_FIELDS},
            "severity": f.severity.value,
        }
        for f in report.findings
    ]
    safe: dict[str, Any] = json_safe(data)  # a dict converts to a dict
    return safe


def format_json(reports: list[CardReport], noun: str = "card") -> str:
    """One schema for every command: the top-level key stays `cards` whatever `noun` is.

    The whole document is built before anything is printed, and any value serialises.
    """
    document = {"cards": [_report_data(r) for r in reports]}
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _escape_data(text: str) -> str:
    """GitHub's escapes (`%`, CR, LF); other line separators and controls as `plain` escapes,
    which the runner shows as they are (it would not decode a percent escape of them)."""
    return plain(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(reports: list[CardReport], noun: str = "card") -> str:
    """Workflow commands (`::error file=...,line=...::msg`) that GitHub shows inline on the diff."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for report in reports:
        for f in report.findings:
            props = [f"file={_escape_property(f.file)}"]
            if f.line is not None:
                props.append(f"line={f.line}")
            if f.column is not None:
                props.append(f"col={f.column}")
            props.append(f"title={_escape_property(f.code)}")
            field = f"{f.field}: " if f.field else ""
            lines.append(f"::{level[f.severity]} {','.join(props)}::{_escape_data(field + f.message)}")
    lines.append(_summary(reports, noun))
    return "\n".join(lines) + "\n"


FORMATTERS: dict[str, Callable[[list[CardReport], str], str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
}
FORMATS = tuple(FORMATTERS)
"""`--format`'s choices (cardkit/commands/options.py): a formatter added here is one the CLI offers."""


def emit(text: str, stream: TextIO | None = None) -> None:
    """Print `text` in one write and flush it, with Ctrl-C held back until it is out.

    A report is built whole in memory first; deferring SIGINT for the write means an interrupt
    cannot leave half a JSON document on stdout: it takes effect right after, as exit 130. (A
    Python-level handler, not a signal mask: the kernel hands a masked signal to another thread.)
    """
    stream = sys.stdout if stream is None else stream
    pending: list[int] = []
    previous = _defer_interrupts(pending)
    try:
        stream.write(text)
        stream.flush()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    if pending and previous is not None:
        if callable(previous):
            previous(signal.SIGINT, None)
        elif previous == signal.SIG_DFL:
            signal.raise_signal(signal.SIGINT)


def _defer_interrupts(pending: list[int]) -> Any:
    """Install a SIGINT handler that only notes the signal; return the one it replaced (None when
    signals cannot be handled here: not the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    current = signal.getsignal(signal.SIGINT)
    if current is None:  # installed outside Python: it could not be put back
        return None
    try:
        signal.signal(signal.SIGINT, lambda signum, frame: pending.append(signum))
    except (OSError, ValueError):
        return None
    return current
