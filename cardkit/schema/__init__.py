"""Pydantic models of a cardkit card; `Card` is the root."""

from __future__ import annotations

from cardkit.schema.card import SCHEMA_VERSION, Card
from cardkit.schema.common import LocalizedText

__all__ = ["SCHEMA_VERSION", "Card", "LocalizedText"]
