"""The `--no-model` comparison: what config.json states literally, without transformers.

Family-specific spellings (`n_head_kv`, `multi_query`, `num_kv_heads` that Falcon ignores unless
`new_decoder_architecture`) mean something only to their config class, so an alias table gives
false errors (a correct multi-query Falcon-7B card "says 1, config.json says 71"). Only keys that
every transformers config class reads literally are compared here, as lint and import read them
(`cardkit.card.config_facts`, the one table), and the card's other facts are left, with a note,
to the full check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cardkit.card.config_facts import first_spellings, literal_facts
from cardkit.card.load import CheckedCard
from cardkit.core.findings import Finding
from cardkit.validate.codes import CONFIG_MISMATCH, CONFIG_NOT_INTERPRETED
from cardkit.validate.fact_check import ARCH, stated_facts


def raw_config_facts(data: dict[str, Any]) -> dict[str, Any]:
    """Facts the file states under any spelling (the first present), for the notes of the fast path.

    Only keys present in the file count: a default (Falcon ties its embeddings unless told
    otherwise) is known only to transformers' classes, which the full check uses.
    """
    return first_spellings(data)


def compare_raw(loaded: CheckedCard, data: dict[str, Any], why: str) -> Iterator[Finding]:
    """Errors for literal keys the card contradicts; a note where a family-specific key seems to
    disagree (Falcon-7B's `num_kv_heads: 71` beside `multi_query: true`) but only transformers can say."""
    stated = stated_facts(loaded.card.architecture)
    checked = set()
    for fact, value in literal_facts(data).items():
        if fact not in stated:
            continue
        checked.add(fact)
        if stated[fact] != value:
            yield loaded.finding(
                CONFIG_MISMATCH,
                f"{fact}: card says {stated[fact]!r}, config.json says {value!r}",
                (ARCH, *fact.split(".")),
                expected=value,
                actual=stated[fact],
            )
    for fact, value in sorted(raw_config_facts(data).items()):
        if fact in checked or fact not in stated or stated[fact] == value:
            continue
        yield loaded.finding(
            CONFIG_NOT_INTERPRETED,
            f"{fact}: config.json has a key that reads {value!r} where the card says {stated[fact]!r}; "
            f"{why} cannot tell what the key means for model_type {data.get('model_type')!r} (its config "
            "class decides), so the full check gives the verdict",
            (ARCH, *fact.split(".")),
            expected=value,
            actual=stated[fact],
        )
