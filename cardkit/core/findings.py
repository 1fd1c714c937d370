"""Findings are the one currency of every check: data first, formatted only at the CLI edge."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One thing a check has to say about a card, located in the file it came from.

    `expected` is what the source of truth (config.json, the architecture, the rows of a table)
    says; `actual` is what the card says.
    """

    code: str
    severity: Severity
    message: str
    file: str
    line: int | None = None
    column: int | None = None
    field: str | None = None
    expected: Any = None
    actual: Any = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


@dataclass
class ParameterCount:
    claimed: int | None = None
    computed: int | None = None


@dataclass
class CardReport:
    """Everything validate learned about one card."""

    path: str
    model_id: str | None = None
    parameters: ParameterCount = field(default_factory=ParameterCount)
    findings: list[Finding] = field(default_factory=list)
    runtime: dict[str, Any] | None = None
    """Figures from --checkpoint/--load/--generate (sizes, seconds, memory); None when none ran."""

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "model_id": self.model_id,
            "parameters": {"claimed": self.parameters.claimed, "computed": self.parameters.computed},
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.runtime is not None:
            data["runtime"] = self.runtime
        return data
