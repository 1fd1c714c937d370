"""cardkit: typed model cards, checked against the model's config, architecture and weights."""

from __future__ import annotations

__version__ = "0.1.0"
