"""Pydantic models of a cardkit card; `Card` is the root.

Layer: imports `cardkit.core` (and pydantic); never torch or transformers, never any other cardkit
package, so the card layer, render and lint can build on it.
"""

from __future__ import annotations

from cardkit.schema.card import SCHEMA_VERSION, Card
from cardkit.schema.common import LocalizedText

__all__ = ["SCHEMA_VERSION", "Card", "LocalizedText"]
