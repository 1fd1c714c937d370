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


@dataclass(frozen=True)
class ConfigReading:
    """What transformers says about one config.json, handed as data to lint and import (which may
    not import it). `facts` when it built the architecture; None when it was not asked (`--no-model`),
    is not installed, or the model_type is repository code, so only literal keys are read
    (`cardkit.card.config_facts`), and `why_literal` says which. `native`: whether transformers
    implements the model_type; None when nobody asked it (unknown, never guessed)."""

    facts: ArchitectureFacts | None = None
    native: bool | None = None
    why_literal: str = "transformers was not asked"
