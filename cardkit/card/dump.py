"""Write a `Card` back to YAML: schema key order, Unicode kept, the editor's schema comment first."""

from __future__ import annotations

import yaml

from cardkit.card.load import SCHEMA_COMMENT
from cardkit.schema import Card

SCHEMA_LINE = f"{SCHEMA_COMMENT}../../schemas/card.schema.json\n"


class _CardDumper(yaml.SafeDumper):
    """Block style, long lines kept whole (a folded Chinese line would gain spaces), `|` for code."""


YAML_BREAKS = frozenset("\r\x85\u2028\u2029")
"""Characters YAML reads as line breaks: only a double-quoted scalar keeps them as they are."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if YAML_BREAKS.intersection(value) else "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_CardDumper.add_representer(str, _represent_str)


def dump_card(card: Card) -> str:
    """YAML text that loads back to an equal card; unset optional fields are left out."""
    data = card.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    body = yaml.dump(data, Dumper=_CardDumper, sort_keys=False, allow_unicode=True, width=10_000)
    return SCHEMA_LINE + body
