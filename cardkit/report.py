"""Print findings as text for people, JSON for programs, or GitHub Actions annotations for CI."""

from __future__ import annotations

import json
from collections.abc import Callable

from cardkit.findings import CardReport, Finding, Severity

FORMATS = ("text", "json", "github")


def _where(finding: Finding) -> str:
    parts = [finding.file]
    if finding.line is not None:
        parts.append(str(finding.line))
        if finding.column is not None:
            parts.append(str(finding.column))
    return ":".join(parts)


def _parameters_line(report: CardReport) -> str | None:
    claimed, computed = report.parameters.claimed, report.parameters.computed
    if claimed is None:
        return None
    if computed is None:
        return f"  parameters: claimed {claimed:,} (not computed)"
    verdict = "exact match" if claimed == computed else f"difference {computed - claimed:+,}"
    return f"  parameters: claimed {claimed:,}, computed {computed:,} ({verdict})"


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
    return "\n".join(lines) + "\n"


def _summary(reports: list[CardReport], noun: str) -> str:
    """`noun` names what each report is about: a card for validate, a README for lint, a folder for check."""
    counts = {s: sum(f.severity is s for r in reports for f in r.findings) for s in Severity}
    return (
        f"{len(reports)} {noun}(s): {counts[Severity.ERROR]} error(s), "
        f"{counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} note(s)"
    )


def format_json(reports: list[CardReport], noun: str = "card") -> str:
    """One schema for every command: the top-level key stays `cards` whatever `noun` is."""
    return json.dumps({"cards": [r.to_dict() for r in reports]}, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


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
