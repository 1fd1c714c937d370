"""What `cardkit.model.architecture_facts` reads from a built architecture, as plain data.

Kept outside `cardkit.model` (no torch) so the facts cache, validate's comparisons and `cardkit
new` can hold and compare facts without importing the code that computes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArchitectureFacts:
    """Facts keyed by dotted path under `architecture` (`positional_embedding.type`)."""

    values: dict[str, Any] = field(default_factory=dict)
    undetermined: dict[str, str] = field(default_factory=dict)

    def set(self, path: str, value: Any, why_unknown: str = "") -> None:
        """Record `value`, or when it is None and a reason is given, record that it is unknown."""
        if value is not None:
            self.values[path] = value
        elif why_unknown:
            self.undetermined[path] = why_unknown
