"""The draft's architecture and tokenizer: config.json first, then the figures the README's tables
state for this model (cardkit.readme.numbers reads them, as lint does), never a guess.

When the caller computed transformers' facts for config.json (`Document.reading`, the facts validate
uses), the block is the one `cardkit new` drafts from them (facts_draft.py), with the size label the
README names: every fact the build determined, exactly. Otherwise only config.json's literal keys
and the README's tables are read, and a figure only a family's own key states (`n_head_kv`,
`multi_query`) is a TODO that names the key rather than a value read from an alias.
"""

from __future__ import annotations

import re
from typing import Any

from cardkit.importing.draft import Draft, prose_text, todo
from cardkit.importing.facts_draft import architecture_draft
from cardkit.readme.document import Document, as_number
from cardkit.readme.numbers import ConfigFigure, config_figure, interpreter, table_claims

ARCH_FIELDS = {
    "hidden_size": "hidden_size",
    "num_layers": "num_layers",
    "num_heads": "num_attention_heads",
    "num_kv_heads": "num_kv_heads",
    "intermediate_size": "intermediate_size",
    "vocab_size": "vocab_size",
    "max_positions": "max_position_embeddings",
}


def table_facts(doc: Document) -> dict[str, str]:
    """Architecture figures the card's tables state for this model: config key -> cell text; a
    figure two cells state differently (`Layers 32`, `Layers 40`) is left out, never the first taken."""
    facts: dict[str, str] = {}
    conflicting: set[str] = set()
    for table in doc.tables:
        for _, key, cell in table_claims(doc, table):
            if facts.setdefault(key, cell) != cell and as_number(facts[key]) != as_number(cell):
                conflicting.add(key)
    return {key: cell for key, cell in facts.items() if key not in conflicting}


def draft_architecture(doc: Document) -> Draft:
    size = doc.size_billions if doc.repo_id or not doc.identity.family else None
    label = f"{size:g}B" if size else None  # a family card's sizes are its members', not one model's
    if doc.config and doc.reading.facts is not None:
        built: Draft = architecture_draft(doc.reading.facts)
        if label:
            built["parameters"]["label"] = label
        return built
    facts = table_facts(doc)
    arch: Draft = {"model_type": doc.model_type or todo("transformers model_type")}
    counted = config_figure(doc, "parameters").value if doc.config else None  # the built model's
    count = as_number(facts.get("parameters", ""))  # a table's: `7B` is no count
    arch["parameters"] = {
        "count": counted or (int(count) if count and count >= 1e6 else todo("exact parameter count")),
        "label": label or todo("size label, e.g. 7B"),
    }
    for key, field in ARCH_FIELDS.items():
        figure = config_figure(doc, key) if doc.config else ConfigFigure()
        value = figure.value
        if value is None and key in facts:
            number = as_number(facts[key])
            value = int(number) if number is not None and not facts[key].lower().endswith("k") else None
        arch[field] = value if value is not None else todo(_hint(doc, field, figure))
    arch["positional_embedding"] = _positional(doc)
    stated = _stated_norm(doc)
    normalization = _normalization(doc.config or {})
    if normalization == "layernorm" and stated == "rmsnorm" and "rms_norm_eps" not in (doc.config or {}):
        normalization = stated  # Qwen's `layer_norm_epsilon` is its RMSNorm's: the README says which
    arch["normalization"] = normalization or stated or todo("layernorm | rmsnorm")
    activation = (doc.config or {}).get("hidden_act")
    if activation is None and SWIGLU.search(prose_text(doc)) and not GELU.search(prose_text(doc)):
        activation = "silu"  # SwiGLU gates with SiLU (Swish)
    arch["activation"] = (
        activation if activation in ("gelu", "gelu_new", "silu", "relu") else todo("activation")
    )
    tied = (doc.config or {}).get("tie_word_embeddings")
    arch["tied_embeddings"] = tied if isinstance(tied, bool) else todo("true | false")
    return arch


def _hint(doc: Document, field: str, figure: ConfigFigure) -> str:
    """What the TODO asks for; the family keys config.json states it under, when it does."""
    if not figure.unread:
        return f"{field} from config.json"
    keys = ", ".join(f"{key}: {value!r}" for key, value in figure.unread.items())
    return f"{field}: config.json states only {keys}, which only {interpreter(doc)} can read"


RMSNORM = re.compile(r"\bRMS ?Norm\b", re.I)
LAYERNORM = re.compile(r"\bLayer ?Norm(?:alization)?\b", re.I)
SWIGLU = re.compile(r"\bSwiGLU\b", re.I)
GELU = re.compile(r"\bGe?LU\b", re.I)


def _stated_norm(doc: Document) -> str | None:
    """The one norm the README's prose names (`RMSNorm for normalization`); both or neither: None."""
    prose = prose_text(doc)
    rms, layer = bool(RMSNORM.search(prose)), bool(LAYERNORM.search(prose))
    return "rmsnorm" if rms and not layer else "layernorm" if layer and not rms else None


def _normalization(config: dict[str, Any]) -> str | None:
    """The norm config.json names by its own key: `rms_norm_eps` (or ChatGLM's `rmsnorm: true`) is
    RMSNorm, `layer_norm_epsilon`/`layer_norm_eps` alone is LayerNorm; neither or both: not stated."""
    rms = "rms_norm_eps" in config or config.get("rmsnorm") is True
    layer = any(k in config for k in ("layer_norm_epsilon", "layer_norm_eps"))
    layer = layer and config.get("rmsnorm") is not True
    return "rmsnorm" if rms and not layer else "layernorm" if layer and not rms else None


def _positional(doc: Document) -> Draft:
    config = doc.config or {}
    fraction = config.get("partial_rotary_factor", config.get("rotary_pct"))
    theta = config.get("rope_theta", config.get("rotary_emb_base"))
    if fraction is None and theta is None and (config.get("original_rope") is True or "rope_ratio" in config):
        return {"type": "rotary", "rotary_fraction": todo("rotary_fraction")}  # ChatGLM's RoPE keys
    if fraction is None and theta is None:
        return todo("rotary | alibi | learned | none, with rotary_fraction and rope_theta")
    positional: Draft = {"type": "rotary", "rotary_fraction": fraction or todo("rotary_fraction")}
    if theta is not None:
        positional["rope_theta"] = theta
    return positional

VOCABULARY = re.compile(r"(?:vocabulary size of|词汇量为|词表大小为|vocabulary of)\s*([\d,]+)", re.I)


def draft_tokenizer(doc: Document) -> Draft:
    """The vocabulary a table or sentence states (tokens the tokenizer emits, not embedding rows)."""
    stated = table_facts(doc).get("vocabulary")
    if stated is None and (sentence := VOCABULARY.search(prose_text(doc))):
        stated = sentence.group(1)
    vocabulary = as_number(stated) if stated else None
    return {
        "name": todo("tokenizer name, e.g. GPT-NeoX"),
        "type": todo("bpe | byte-level-bpe | sentencepiece-bpe | sentencepiece-unigram | wordpiece"),
        "vocab_size": int(vocabulary) if vocabulary else todo("tokens the tokenizer emits"),
    }
