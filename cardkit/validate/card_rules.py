"""Cross-field rules a schema cannot express: the card must agree with itself.

Each rule takes a loaded, schema-valid card and yields findings located at the field to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel

from cardkit.card.load import CheckedCard
from cardkit.core.findings import Finding
from cardkit.core.python_snippet import SnippetError, parse_snippet
from cardkit.core.rounding import tolerance as _tolerance
from cardkit.core.text_patterns import MIRROR_HOSTS, TRUST_REMOTE, URL_HOST
from cardkit.schema import LocalizedText
from cardkit.validate.codes import (
    ARCH_HEADS_DIVIDE_HIDDEN,
    ARCH_KV_HEADS_DIVIDE_HEADS,
    ARCH_ROTARY_FRACTION,
    CARD_MIRROR_URL,
    IDENTITY_BASE_MODEL,
    IDENTITY_SIZE_LABEL,
    PROSE_TEMPLATE_CODE,
    PROSE_ZH_PUNCTUATION,
    PROSE_ZH_SPACE,
    TOKENIZER_EXCEEDS_EMBEDDINGS,
    TRAINING_DATASET_ID_DAMAGED,
    TRAINING_TOKENS_EPOCHS,
    TRAINING_TOTAL_MISMATCH,
    USAGE_GREEDY_WITH_SAMPLING,
    USAGE_SNIPPET_REMOTE_CODE,
    USAGE_SNIPPET_REPO,
    USAGE_SNIPPET_SYNTAX,
    USAGE_STOP_TOKEN_UNDECLARED,
)
from cardkit.validate.snippet_requirements import snippets_have_their_requirements

Rule = Callable[[CheckedCard], Iterator[Finding]]
RULES: list[Rule] = []

SIZE_IN_NAME = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)[bB](?![a-zA-Z0-9])")
FROM_PRETRAINED = re.compile(r"from_pretrained\(\s*[\"']([^\"']+)[\"']")


def rule(func: Rule) -> Rule:
    RULES.append(func)
    return func


def check_rules(loaded: CheckedCard) -> list[Finding]:
    return [finding for each in RULES for finding in each(loaded)]


@rule
def heads_divide_hidden(loaded: CheckedCard) -> Iterator[Finding]:
    arch = loaded.card.architecture
    if arch.num_attention_heads is None:
        return
    if arch.head_dim is None and arch.hidden_size % arch.num_attention_heads:
        yield loaded.finding(
            ARCH_HEADS_DIVIDE_HIDDEN,
            f"{arch.num_attention_heads} attention heads do not divide hidden size {arch.hidden_size}",
            ("architecture", "num_attention_heads"),
            actual=arch.num_attention_heads,
        )
    if arch.num_kv_heads is not None and arch.num_attention_heads % arch.num_kv_heads:
        yield loaded.finding(
            ARCH_KV_HEADS_DIVIDE_HEADS,
            f"{arch.num_kv_heads} KV heads do not divide {arch.num_attention_heads} attention heads",
            ("architecture", "num_kv_heads"),
            actual=arch.num_kv_heads,
        )


@rule
def rotary_has_fraction(loaded: CheckedCard) -> Iterator[Finding]:
    pos = loaded.card.architecture.positional_embedding
    if pos is None:
        return
    if pos.type == "rotary" and pos.rotary_fraction is None:
        yield loaded.finding(
            ARCH_ROTARY_FRACTION,
            "rotary embedding needs `rotary_fraction` (1.0 when every dimension rotates)",
            ("architecture", "positional_embedding"),
        )
    if pos.type != "rotary" and pos.rotary_fraction is not None:
        yield loaded.finding(
            ARCH_ROTARY_FRACTION,
            f"`rotary_fraction` given for {pos.type} positions",
            ("architecture", "positional_embedding", "rotary_fraction"),
        )


@rule
def tokenizer_fits_embeddings(loaded: CheckedCard) -> Iterator[Finding]:
    card = loaded.card
    if card.tokenizer.vocab_size > card.architecture.vocab_size:
        yield loaded.finding(
            TOKENIZER_EXCEEDS_EMBEDDINGS,
            f"tokenizer has {card.tokenizer.vocab_size:,} tokens but the embedding has only "
            f"{card.architecture.vocab_size:,} rows",
            ("tokenizer", "vocab_size"),
            expected=f"<= {card.architecture.vocab_size}",
            actual=card.tokenizer.vocab_size,
        )


@rule
def size_label_matches_name(loaded: CheckedCard) -> Iterator[Finding]:
    """A "7B" label on a repo called `...-13b` is the classic copy-paste error between model sizes."""
    identity, label = loaded.card.identity, loaded.card.architecture.parameters.label
    named = f"{identity.repo_id} {identity.name}".replace("_", "-")
    sizes = sorted({m.group(1) for m in SIZE_IN_NAME.finditer(named)})
    if sizes and label.endswith("B") and label[:-1] not in sizes:
        yield loaded.finding(
            IDENTITY_SIZE_LABEL,
            f"the model's name says {'/'.join(sizes)}B but the size label is {label}",
            ("architecture", "parameters", "label"),
            expected=f"{sizes[0]}B",
            actual=label,
        )


@rule
def tuned_models_name_base(loaded: CheckedCard) -> Iterator[Finding]:
    identity = loaded.card.identity
    if identity.variant != "base" and identity.base_model is None:
        yield loaded.finding(
            IDENTITY_BASE_MODEL,
            f"a {identity.variant} model must name the `base_model` it was tuned from",
            ("identity", "variant"),
        )


@rule
def tokens_are_epochs_times_data(loaded: CheckedCard) -> Iterator[Finding]:
    t = loaded.card.training
    if (
        t.tokens
        and t.unique_tokens
        and t.epochs
        and abs(t.unique_tokens * t.epochs - t.tokens) > 0.005 * t.tokens
    ):
        yield loaded.finding(
            TRAINING_TOKENS_EPOCHS,
            f"{t.unique_tokens:,} unique tokens x {t.epochs:g} epochs is not {t.tokens:,} tokens",
            ("training", "tokens"),
            expected=round(t.unique_tokens * t.epochs),
            actual=t.tokens,
        )


@rule
def compute_table_totals(loaded: CheckedCard) -> Iterator[Finding]:
    compute = loaded.card.training.compute
    table = compute.table if compute else None
    if table is None:
        return
    for column, stated in (("gpu_hours", table.total_gpu_hours), ("co2_tonnes", table.total_co2_tonnes)):
        values = [getattr(row, column) for row in table.rows]
        if stated is None or None in values:
            continue
        total = sum(values)
        if abs(total - stated) > _tolerance(table.decimals, len(values) + 1):
            yield loaded.finding(
                TRAINING_TOTAL_MISMATCH,
                f"stated total {column} {stated:,} is not the sum of its {len(values)} rows "
                f"({total:,.{table.decimals}f})",
                ("training", "compute", "table", f"total_{column}"),
                expected=round(total, table.decimals),
                actual=stated,
            )


ESCAPE_RESIDUE = re.compile(r"^(?:%?3A|%?2F)(?=[A-Za-z])")
"""`3Atatsu-lab/alpaca`: a scraper dropped the `%` of a URL-encoded `:` or `/` and glued the rest on."""


@rule
def dataset_ids_are_clean(loaded: CheckedCard) -> Iterator[Finding]:
    for index, dataset in enumerate(loaded.card.training.published_datasets):
        if dataset.id and (match := ESCAPE_RESIDUE.match(dataset.id)):
            yield loaded.finding(
                TRAINING_DATASET_ID_DAMAGED,
                f"dataset id {dataset.id!r} starts with {match.group()!r}, the residue of a URL-encoded "
                "':' or '/'",
                ("training", "datasets", index, "id"),
                expected=dataset.id[match.end() :],
                actual=dataset.id,
            )


@rule
def stop_tokens_are_special(loaded: CheckedCard) -> Iterator[Finding]:
    special = loaded.card.tokenizer.special_tokens
    declared = {special.bos, special.eos, special.unk, special.pad, *special.additional}
    for index, token in enumerate(loaded.card.usage.stop_tokens):
        if token not in declared:
            yield loaded.finding(
                USAGE_STOP_TOKEN_UNDECLARED,
                f"stop token {token!r} is not among the tokenizer's special tokens",
                ("usage", "stop_tokens", index),
                actual=token,
            )


@rule
def snippets_run_this_model(loaded: CheckedCard) -> Iterator[Finding]:
    repo_id = loaded.card.identity.repo_id
    for index, snippet in enumerate(loaded.card.usage.snippets):
        where = ("usage", "snippets", index, "code")
        if snippet.language != "python":
            continue
        try:
            parse_snippet(snippet.code)
        except SnippetError as exc:
            yield loaded.finding(
                USAGE_SNIPPET_SYNTAX,
                f"snippet does not parse as Python: {exc.message}",
                where,
                line_offset=exc.line,
            )
            continue
        for match in FROM_PRETRAINED.finditer(snippet.code):
            if match.group(1) != repo_id:
                line = snippet.code.count("\n", 0, match.start()) + 1
                yield loaded.finding(
                    USAGE_SNIPPET_REPO,
                    f"snippet loads {match.group(1)!r}, not this card's {repo_id!r}",
                    where,
                    expected=repo_id,
                    actual=match.group(1),
                    line_offset=line,
                )
        if TRUST_REMOTE.search(snippet.code):
            yield loaded.finding(
                USAGE_SNIPPET_REMOTE_CODE,
                "snippet sets trust_remote_code=True; cards should load with native transformers code",
                where,
            )


rule(snippets_have_their_requirements)


@rule
def sampling_settings_are_used(loaded: CheckedCard) -> Iterator[Finding]:
    gen = loaded.card.usage.generation
    if not gen.do_sample and any(v is not None for v in (gen.temperature, gen.top_p, gen.top_k)):
        yield loaded.finding(
            USAGE_GREEDY_WITH_SAMPLING,
            "temperature/top_p/top_k have no effect when do_sample is false",
            ("usage", "generation", "do_sample"),
        )


CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_PUNCT = r"\u3000-\u303f\uff00-\uffef"
SPACE_BETWEEN_CJK = re.compile(f"[{CJK}{CJK_PUNCT}]\\s+[{CJK}{CJK_PUNCT}]")
ASCII_PUNCT_BY_CJK = re.compile(f"[{CJK}][,;:!?()]|[,;:!?()][{CJK}]")


def values_of_type(
    value: object, wanted: type, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every value of type `wanted` (`str` or `LocalizedText`) anywhere in a card, with its field
    path, in field order. The card is walked once, whatever the type asked for: three rules ask."""
    texts, strings = _card_values(value, path)
    if wanted is LocalizedText or wanted is str:
        yield from texts if wanted is LocalizedText else strings
    else:
        yield from _walk(value, wanted, path)


_LAST_WALK: list[tuple[object, tuple[str | int, ...], Any]] = []
"""The last card walked (kept referenced, so its id cannot be reused) and what the walk found."""


def _card_values(value: object, path: tuple[str | int, ...]) -> Any:
    if _LAST_WALK and _LAST_WALK[0][0] is value and _LAST_WALK[0][1] == path:
        return _LAST_WALK[0][2]
    texts: list[tuple[tuple[str | int, ...], Any]] = []
    strings: list[tuple[tuple[str | int, ...], str]] = []
    stack: list[tuple[object, tuple[str | int, ...]]] = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            strings.append((where, node))
            continue
        if isinstance(node, LocalizedText):
            texts.append((where, node))
        if isinstance(node, BaseModel):
            stack.extend((getattr(node, name), (*where, name)) for name in reversed(type(node).model_fields))
        elif isinstance(node, list | tuple):
            stack.extend(((item, (*where, index)) for index, item in reversed(list(enumerate(node)))))
    _LAST_WALK[:] = [(value, path, (texts, strings))]
    return texts, strings


def _walk(
    value: object, wanted: type, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(value, wanted):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name), wanted, (*path, name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, wanted, (*path, index))


@rule
def chinese_reads_as_chinese(loaded: CheckedCard) -> Iterator[Finding]:
    """Folded YAML lines put spaces between Chinese characters; ASCII punctuation reads as a typo."""
    for path, text in values_of_type(loaded.card, LocalizedText):
        if match := SPACE_BETWEEN_CJK.search(text.zh):
            yield loaded.finding(
                PROSE_ZH_SPACE,
                f"space between Chinese characters in {match.group()!r}: a folded YAML line "
                "break becomes a space; keep Chinese text on one line",
                (*path, "zh"),
            )
        if match := ASCII_PUNCT_BY_CJK.search(text.zh):
            yield loaded.finding(
                PROSE_ZH_PUNCTUATION,
                f"ASCII punctuation next to Chinese text in {match.group()!r}; use full-width ，；：！？（）",
                (*path, "zh"),
            )


@rule
def links_use_canonical_hosts(loaded: CheckedCard) -> Iterator[Finding]:
    for path, text in values_of_type(loaded.card, str):
        for match in URL_HOST.finditer(text):
            host = match.group(1).lower()
            if host in MIRROR_HOSTS:
                yield loaded.finding(
                    CARD_MIRROR_URL,
                    f"link to mirror host {host}; use {MIRROR_HOSTS[host]}",
                    path,
                    expected=MIRROR_HOSTS[host],
                    actual=host,
                )


TEMPLATE_DELIMITERS = (("{{", "}}"), ("{%", "%}"), ("{#", "#}"))
"""Jinja delimiters. Card text is data and is rendered literally; text shaped like template code is
either an injection attempt or a paste from a template, and in neither case meant for readers."""


def template_code(text: str) -> str | None:
    """The first `{{ ... }}`, `{% ... %}` or `{# ... #}` in `text` (what the lazy
    DOTALL regex finds), in linear time: the regex retried each unclosed `{{` up to the end of the text, so
    80,000 of them took minutes. Only the first opener of each kind can matter: if it has no closer
    after it, no later opener of that kind has one either."""
    found: list[tuple[int, int]] = []
    for opener, closer in TEMPLATE_DELIMITERS:
        start = text.find(opener)
        end = text.find(closer, start + 2) if start >= 0 else -1
        if end >= 0:
            found.append((start, end + 2))
    if not found:
        return None
    start, end = min(found)
    return text[start:end]


@rule
def prose_is_not_template_code(loaded: CheckedCard) -> Iterator[Finding]:
    for path, text in values_of_type(loaded.card, LocalizedText):
        for language in ("en", "zh"):
            if (code := template_code(getattr(text, language))) is not None:
                yield loaded.finding(
                    PROSE_TEMPLATE_CODE,
                    f"template syntax {code[:40]!r} in card text; cardkit renders card text "
                    "literally, never as a template: remove it",
                    (*path, language),
                    actual=code[:200],
                )


# The evaluation rules live with the rest of the evaluation code, which imports nothing of this
# module (no cycle); they are checked after the card's own rules.
from cardkit.evaluation.checks import RULES as _EVALUATION_RULES  # noqa: E402

RULES.extend(_EVALUATION_RULES)
