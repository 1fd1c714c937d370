"""An architecture block drafted from transformers' facts, in the schema's field order.

`cardkit new` writes it from config.json alone; `cardkit import` writes the same block when it was
given a config transformers can build, so both draft exactly what validate will check. A fact the
build did not determine is a TODO saying why, or left out when the architecture does not have it.
"""

from __future__ import annotations

from typing import Any

from cardkit.core.facts import ArchitectureFacts
from cardkit.importing.draft import is_todo, todo


def nest(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted facts under `prefix` as nested mappings, in the order the schema declares them."""
    tree: dict[str, Any] = {}
    for dotted, value in values.items():
        if prefix and not dotted.startswith(prefix):
            continue
        node = tree
        *parents, leaf = dotted[len(prefix) :].split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def _ordered(tree: dict[str, Any], model: Any) -> dict[str, Any]:
    """`tree` with keys in the field order of the Pydantic `model` (recursively for sub-models)."""
    ordered: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name not in tree:
            continue
        value = tree[name]
        sub = _submodel(info.annotation)
        nested = isinstance(value, dict) and sub is not None and not is_todo(value)
        ordered[name] = _ordered(value, sub) if nested else value
    return ordered


def _submodel(annotation: Any) -> Any:
    from typing import get_args

    from pydantic import BaseModel

    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def architecture_draft(facts: ArchitectureFacts) -> dict[str, Any]:
    values = {k: v for k, v in facts.values.items() if not k.startswith("parameters.")}
    tree = nest(values)
    tree["parameters"] = {"count": facts.values["parameters.count"], "label": todo("size label, e.g. 7B")}
    if "parameters.active" in facts.values:
        tree["parameters"]["active"] = facts.values["parameters.active"]
    if "positional_embedding.type" not in facts.values:
        why = facts.undetermined.get("positional_embedding.type")
        tree["positional_embedding"] = todo(f"positional scheme (cardkit could not tell: {why})")
    for block, required in (
        ("moe", ("num_experts", "experts_per_token")),
        ("sliding_window", ("tokens", "layers")),
    ):
        if isinstance(tree.get(block), dict):
            for name in required:
                if name not in tree[block]:
                    why = facts.undetermined.get(f"{block}.{name}", "not determined")
                    tree[block][name] = todo(f"{block} {name.replace('_', ' ')} (cardkit: {why})")
    positional = tree.get("positional_embedding")
    if (
        isinstance(positional, dict)
        and positional.get("type") == "rotary"
        and "rotary_fraction" not in positional
    ):
        why = facts.undetermined.get("positional_embedding.rotary_fraction", "not determined")
        positional["rotary_fraction"] = todo(f"share of each head that rotary rotates (cardkit: {why})")
    from cardkit.schema.architecture import Architecture  # lazy: import's start loads no pydantic

    return _ordered(tree, Architecture)
