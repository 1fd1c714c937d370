"""Write a card, or an import draft, back to YAML: key order kept, Unicode kept, schema comment first.

One dumper for both, so a string that survives `cardkit render`'s card also survives `cardkit
import`'s draft: YAML reads CR, NEL (U+0085), LS (U+2028) and PS (U+2029) as line breaks, so a plain,
single-quoted or `|` scalar holding one comes back changed (NEL as a space); such strings are written
double-quoted, where they are escapes. Importable without pydantic (`Card` is only a type here), so
the import path starts as fast as lint's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from cardkit.schema import Card

SCHEMA_COMMENT = "# yaml-language-server: $schema="
"""The first line of every card: editors that speak the YAML language server check it on the fly."""
SCHEMA_LINE = f"{SCHEMA_COMMENT}../../schemas/card.schema.json\n"


class _CardDumper(yaml.SafeDumper):
    """Block style, long lines kept whole (a folded Chinese line would gain spaces), `|` for code."""


YAML_BREAKS = frozenset("\r\x85\u2028\u2029")
"""Characters YAML reads as line breaks besides `\\n`: only a double-quoted scalar keeps them."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if YAML_BREAKS.intersection(value) else "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    """A list of plain integers (layer indices) on one line; any other list in block style."""
    flow = bool(value) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_CardDumper.add_representer(str, _represent_str)
_CardDumper.add_representer(list, _represent_list)


def yaml_body(data: Any) -> str:
    """Block-style YAML of plain data (mappings, lists, strings, numbers) that loads back (with
    `cardkit.card.yaml_source.load_yaml`) to equal data; no schema comment."""
    return yaml.dump(data, Dumper=_CardDumper, sort_keys=False, allow_unicode=True, width=10_000)


def dump_yaml(data: Any) -> str:
    """A card file's text for plain data: the schema comment, then `yaml_body(data)`."""
    return SCHEMA_LINE + yaml_body(data)


def dump_card(card: Card) -> str:
    """YAML text that loads back to an equal card; unset optional fields are left out."""
    return dump_yaml(card.model_dump(mode="json", exclude_none=True, exclude_defaults=False))
