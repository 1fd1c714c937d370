"""The one bounded reader of a model's config.json: its data, or findings that say where it is wrong.

`json.loads` alone accepts what no other JSON reader does (NaN, Infinity), silently keeps the last of
two equal keys, recurses per nesting level (RecursionError past about 1,000), and raises ValueError
on an integer of more than 4,300 digits. So the text is first read once token by token, in linear
time: nesting, number lengths, non-finite numbers and duplicate keys are found there with their line,
column and key path, before `json` parses it. The file itself is read through `safe_io` (regular
files only, size-bounded), so a FIFO or a device named config.json never blocks the run.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardkit.card.codes import (
    CONFIG_DUPLICATE_KEY,
    CONFIG_INVALID_JSON,
    CONFIG_MISSING,
    CONFIG_NO_MODEL_TYPE,
    CONFIG_NOT_FINITE,
    CONFIG_NOT_UTF8,
    CONFIG_NUMBER_TOO_LONG,
    CONFIG_TOO_DEEP,
    CONFIG_TOO_LARGE,
    CONFIG_UNREADABLE,
)
from cardkit.core.codes import Code
from cardkit.core.findings import Finding, Severity
from cardkit.core.safe_io import UnreadableFile, read_bytes_bounded

MAX_CONFIG_BYTES = 1024 * 1024
"""Real configs are a few kilobytes; the largest (with label maps) stay far below a mebibyte."""
MAX_CONFIG_DEPTH = 32
"""Real configs nest three or four levels (a vision config inside a multimodal one)."""
MAX_NUMBER_CHARS = 100
"""Longer numbers are refused before conversion: Python refuses integers past 4,300 digits."""

_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]|-?(?:[0-9][0-9.eE+-]*|Infinity)|NaN|[A-Za-z_]+|\S')

FieldPath = tuple[str | int, ...]


@dataclass
class ConfigFile:
    """config.json as read: `data` is None when unusable; `positions` maps key paths to (line, column)."""

    display: str
    data: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    positions: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def finding(self, code: Code, message: str, path: FieldPath, **extra: Any) -> Finding:
        """A finding at the key `path` (or its nearest recorded ancestor; line 1 when none is known)."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.positions:
                line, column = self.positions[path[:end]]
                break
        else:
            line, column = 1, 1
        return code.finding(message, self.display, line, column, _dotted(path) or None, **extra)


def _dotted(path: FieldPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Frame:
    __slots__ = ("expect_key", "is_object", "key", "keys")

    def __init__(self, is_object: bool) -> None:
        self.is_object = is_object
        self.key: str | int | None = None if is_object else 0
        self.keys: set[str] = set()
        self.expect_key = is_object


def _scan(text: str, config: ConfigFile) -> bool:
    """Record key positions and report what `json` would mishandle; False when the text must not be parsed."""
    stack: list[_Frame] = []
    line, line_start, last = 1, 0, 0
    for match in _TOKEN.finditer(text):
        pos = match.start()
        breaks = text.count("\n", last, pos)
        if breaks:
            line += breaks
            line_start = text.rindex("\n", last, pos) + 1
        last, token = pos, match.group()
        where = (line, pos - line_start + 1)
        first = token[0]
        if first not in '"-0123456789IN{[':
            path: FieldPath = ()
        elif first == '"' and stack and stack[-1].expect_key:  # a key: its path is its object's
            path = tuple(frame.key for frame in stack[:-1] if frame.key is not None)
        else:
            path = tuple(frame.key for frame in stack if frame.key is not None)
        if first in "{[":
            stack.append(_Frame(first == "{"))
            if len(stack) > MAX_CONFIG_DEPTH:
                message = f"nesting deeper than {MAX_CONFIG_DEPTH} levels"
                config.findings.append(
                    CONFIG_TOO_DEEP.finding(message, config.display, *where, _dotted(path))
                )
                return False
        elif first in "}]":
            if stack:
                stack.pop()
        elif first == ",":
            if stack and stack[-1].is_object:
                stack[-1].expect_key = True
            elif stack and isinstance(stack[-1].key, int):
                stack[-1].key += 1
        elif first == ":":
            if stack:
                stack[-1].expect_key = False
        elif first == '"':
            if len(token) == 1:
                return True  # an unclosed string: `json` reports it
            if stack and stack[-1].expect_key:
                _key(token, stack[-1], path, where, config)
        elif first in "-0123456789IN" and token != "-" and not _number(token, path, where, config):
            return False
    return True


def _key(token: str, frame: _Frame, path: FieldPath, where: tuple[int, int], config: ConfigFile) -> None:
    try:
        key = json.loads(token)
    except ValueError:
        return  # a bad escape: `json` reports it
    frame.key = key
    key_path = (*path, key)  # not inline: mypy takes `x[(*a, b)]` for 3.11-only `x[*a, b]`
    config.positions[key_path] = where
    if key in frame.keys:
        message = f"duplicate key {key!r}; JSON readers (transformers included) keep only the last"
        field_name = _dotted((*path, key))
        config.findings.append(
            CONFIG_DUPLICATE_KEY.finding(message, config.display, *where, field_name)
        )
    frame.keys.add(key)


def _number(token: str, path: FieldPath, where: tuple[int, int], config: ConfigFile) -> bool:
    """False (with a finding) for a number `json` would reject, crash on, or read as NaN or infinity."""
    if len(token) > MAX_NUMBER_CHARS:
        code = CONFIG_NUMBER_TOO_LONG
        message = f"a number of {len(token):,} characters; the limit is {MAX_NUMBER_CHARS}"
    elif token in ("Infinity", "-Infinity"):
        _infinity_noted(token, path, where, config)
        return True
    elif token == "NaN":
        code, message = CONFIG_NOT_FINITE, "NaN is not JSON, and no setting of a model is meaningfully NaN"
    elif any(c in token for c in ".eE"):
        try:
            finite = math.isfinite(float(token))
        except ValueError:
            return True  # not a number at all: `json` reports it
        if finite:
            return True
        code, message = CONFIG_NOT_FINITE, f"{token} overflows to infinity; write a finite number"
    else:
        return True
    field_name = _dotted(path) or None
    config.findings.append(code.finding(message, config.display, *where, field_name))
    return False


def _infinity_noted(token: str, path: FieldPath, where: tuple[int, int], config: ConfigFile) -> None:
    """`Infinity` is how Python's json (and so transformers 4) writes an unbounded limit, such as
    Mamba-2's `time_step_limit`; transformers reads it back, so the model loads. Only other JSON
    readers refuse it: a warning, and the value is read as transformers reads it."""
    message = (
        f"{token} is not strict JSON: transformers reads it, other JSON readers refuse it"
        ' (transformers 5 writes {"__float__": "Infinity"})'
    )
    field_name = _dotted(path) or None
    finding = CONFIG_NOT_FINITE.finding(
        message, config.display, *where, field_name, severity=Severity.WARNING
    )
    config.findings.append(finding)


def read_config(path: Path, display: str) -> ConfigFile:
    """Read, scan and parse config.json; never raises for bad content or an unreadable path."""
    config = ConfigFile(display)
    try:
        raw = read_bytes_bounded(path, MAX_CONFIG_BYTES)
    except UnreadableFile as exc:
        if isinstance(exc.__cause__, FileNotFoundError):
            message = "config.json not found next to the card"
            finding = CONFIG_MISSING.finding(message, display)
        else:
            code = CONFIG_TOO_LARGE if "limit" in exc.reason else CONFIG_UNREADABLE
            message = f"config.json cannot be read: {exc.reason}"
            finding = code.finding(message, display, 1, 1)
        config.findings.append(finding)
        return config
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"config.json is not UTF-8: byte 0x{raw[exc.start]:02x}"
        config.findings.append(CONFIG_NOT_UTF8.finding(message, display, line, column))
        return config
    if not _scan(text, config):
        return config
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg}"
        config.findings.append(
            CONFIG_INVALID_JSON.finding(message, display, exc.lineno, exc.colno)
        )
        return config
    except (ValueError, RecursionError) as exc:  # only if the scan and `json` ever disagree
        message = f"not readable: {exc}"
        config.findings.append(CONFIG_INVALID_JSON.finding(message, display, 1, 1))
        return config
    if not isinstance(data, dict) or not isinstance(data.get("model_type"), str):
        message = "config.json must be an object with a string `model_type`"
        config.findings.append(CONFIG_NO_MODEL_TYPE.finding(message, display, 1, 1))
        return config
    config.data = data
    return config


def read_config_json(path: Path, display: str) -> tuple[dict[str, Any] | None, list[Finding]]:
    """The config mapping (None when unusable) and the findings about the file, located by line and key."""
    config = read_config(path, display)
    return config.data, config.findings
