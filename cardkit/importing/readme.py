"""`cardkit import`: draft a card from an existing README, filling only what the README or config states.

The draft is a starting point for a person, so it must never guess: every field the source does not
state is a `{TODO: "what to write here"}` mapping. A mapping is never a valid value for any field of
the schema (strings, numbers, dates and enums alike), so `cardkit validate` reports each TODO at its
exact line until someone fills it, and a draft cannot pass validation by accident.

Sources, in order of trust: config.json (architecture figures), Hub front matter and model-index
(identity, licence, datasets, evaluation), tables (architecture, hyperparameters, compute), text
(hardware, precision, requirements), code blocks (snippets, example prompt, generation settings) and
BibTeX blocks (citation). Damage `cardkit lint` reports (mirror hosts) is undone, never copied.
"""

from __future__ import annotations

import ast
import math
import re
from collections import Counter
from collections.abc import Iterator
from itertools import islice
from typing import Any

import yaml

from cardkit.card.dump import SCHEMA_LINE
from cardkit.card.yaml_source import load_yaml
from cardkit.core.citation import bibtex_problems
from cardkit.core.python_snippet import SnippetError, parse_snippet
from cardkit.core.text_patterns import MIRROR_HOSTS
from cardkit.lint.rules_code import MAX_BIBTEX_ENTRIES
from cardkit.lint.rules_numbers import config_value, same_size, size_of, table_claims
from cardkit.readme.claims import (
    display_name,
    licence,
    precision,
    prose_sections,
    snippet_title,
    table_results,
)
from cardkit.readme.document import SIZE, CodeBlock, Document, as_number, bibtex_entries, parse
from cardkit.readme.identity import MIRROR_OWNERS
from cardkit.schema.license import HUB_LICENSE_IDS

TODO = "TODO"
Draft = dict[str, Any]


def todo(hint: str) -> dict[str, str]:
    """The placeholder for a value the source does not state."""
    return {TODO: hint}


def todo_text(hint: str) -> dict[str, dict[str, str]]:
    return {"en": todo(f"{hint} (English)"), "zh": todo(f"{hint} (Simplified Chinese)")}


def is_todo(value: object) -> bool:
    return isinstance(value, dict) and set(value) == {TODO}


def import_card(text: str, config: dict[str, Any] | None = None, repo_id: str | None = None) -> Draft:
    """A draft card (plain data, schema key order) from README text and the model's config.json."""
    doc = parse(text, "README.md", config, repo_id)
    meta = front_matter(doc)
    if not doc.identity.family:  # a family card's snippets load its members: none is "the" repo
        doc.repo_id = doc.repo_id or _repo_from_snippets(doc)
    draft: Draft = {"schema_version": 2, "config": "config.json"}
    draft["identity"] = _identity(doc, meta)
    draft["architecture"] = _architecture(doc)
    draft["tokenizer"] = _tokenizer(doc)
    draft["training"] = _training(doc, meta)
    draft["license"] = _license(doc, meta)
    draft["usage"] = _usage(doc)
    if evaluation := _evaluation(doc, meta):
        draft["evaluation"] = evaluation
    sections = prose_sections(doc)
    draft["prose"] = {
        name: {**todo_text(f"{name.replace('_', ' ')} section"), **sections.get(name, {})}
        for name in ("summary", "intended_use", "out_of_scope_use", "limitations", "bias")
    }
    draft["citation"] = _citation(doc)
    return draft


def draft_yaml(draft: Draft) -> str:
    """YAML text of a draft, with the schema comment first; long lines kept whole, `|` for code."""
    body = yaml.dump(draft, Dumper=_DraftDumper, sort_keys=False, allow_unicode=True, width=10_000)
    return SCHEMA_LINE + body


class _DraftDumper(yaml.SafeDumper):
    pass


YAML_BREAKS = re.compile("[\r\x85\u2028\u2029]")
"""Characters YAML reads as line breaks besides `\n`: written raw in a plain, quoted or `|` scalar
they come back as a space or a newline (NEL became a space), so such strings are written escaped."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if YAML_BREAKS.search(value):
        style: str | None = '"'
    else:
        style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_DraftDumper.add_representer(str, _represent_str)


def canonical_url(url: str) -> str:
    """Undo a mirror's rewrite of a Hub link (`cardkit lint` reports it as lint-mirror-url)."""
    for mirror, host in MIRROR_HOSTS.items():
        url = re.sub(rf"^(https?://){re.escape(mirror)}", rf"\g<1>{host}", url)
    return url


# ---- front matter -------------------------------------------------------------------------------


def front_matter(doc: Document) -> dict[str, Any]:
    """Hub metadata: real front matter, or a scrape's flattened copy of it (indentation lost)."""
    if doc.front_matter:
        data = dict(doc.front_matter)
        data["results"] = list(_model_index_results(data.get("model-index")))
        return data
    lines: list[str] = []
    for line in doc.lines:
        if not re.match(r"^(?:[\w-]+:|- |\s+\S|https?://)", line):
            break
        lines.append(line)
    return _flat_front_matter(lines) if lines and re.match(r"^[\w-]+:", lines[0]) else {"results": []}


def _mapping(value: object) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


DATASET_KEYS = ("name", "type", "config", "split", "revision")


def _model_index_results(index: object) -> Iterator[dict[str, Any]]:
    """Each metric of a model-index, its fields as text or numbers; a part of the wrong type (a
    result that is a string, metrics that are a mapping) is skipped, never indexed."""
    for entry in _items(index):
        for result in _items(_mapping(entry).get("results")):
            result = _mapping(result)
            dataset, source = _mapping(result.get("dataset")), _mapping(result.get("source"))
            for metric in _items(result.get("metrics")):
                metric = _mapping(metric)
                yield {
                    "dataset": {k: as_text(dataset.get(k)) for k in DATASET_KEYS},
                    "few_shot": _count(_mapping(dataset.get("args")).get("num_few_shot")),
                    "metric": {
                        "type": as_text(metric.get("type")),
                        "value": _metric_value(metric.get("value")),
                        "name": as_text(metric.get("name")),
                    },
                    "source": {k: as_text(source.get(k)) for k in ("name", "url")},
                }


def as_text(value: object) -> str | None:
    """A front-matter scalar as text; None for lists, mappings, and numbers too long to print."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        try:
            return str(value)
        except ValueError:  # an integer past Python's limit on digits converted to text
            return None
    return None


def _metric_value(value: object) -> float | int | None:
    """A score as a plain finite number (a 10,000-digit integer is not a score, and cannot be written)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int):
        return value if abs(value) < 10**15 else None
    return value if math.isfinite(value) else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**6 else None


SECTION_KEYS = {"task", "dataset", "args", "metrics", "source"}


def _flat_front_matter(lines: list[str]) -> dict[str, Any]:
    """Read metadata whose nesting a scrape removed: keys are recovered by the section they follow."""
    data: dict[str, Any] = {"results": []}
    key: Any = None
    section: Any = None
    result: Any = None
    pending: Any = None
    for line in lines:
        item = line[2:].strip() if line.startswith("- ") else None
        name, _, value = (item or line).partition(":")
        name, value = name.strip(), value.strip()
        if pending:
            _put(result, section, pending, canonical_url(line.strip()))
            pending = None
        elif key != "model-index" and item is not None and ":" not in item:
            if key is not None:
                existing = data.get(key)
                if not isinstance(existing, list):  # `license: mit` followed by `- item` lines
                    existing = data[key] = [] if existing is None else [existing]
                existing.append(item)
        elif key != "model-index" and name in ("language", "license", "tags", "datasets", "base_model"):
            key = name
            if value:
                data[key] = value
        elif name == "model-index":
            key = "model-index"
        elif key == "model-index" and name == "task" and item is not None:
            result = {"dataset": {}, "metric": {}, "source": {}, "few_shot": None}
            data["results"].append(result)
            section = "task"
        elif name in SECTION_KEYS and not value:
            section = name
        elif result is not None and value in (">-", "|", ">"):
            pending = name
        elif result is not None:
            _put(result, "metrics" if item is not None and section == "metrics" else section, name, value)
    return data


def _put(result: dict[str, Any] | None, section: str | None, name: str, value: str) -> None:
    if result is None or section is None:
        return
    parsed = _scalar(value)
    if section == "dataset":
        text = parsed if isinstance(parsed, str) else value  # `1e3` stays `1e3`, not `1000.0`
        result["dataset"][name] = text if parsed is not None else None
    elif section == "args" and name == "num_few_shot":
        result["few_shot"] = _count(parsed)
    elif section == "metrics":
        result["metric"][name] = _metric_value(parsed) if name == "value" else as_text(parsed)
    elif section == "source":
        result["source"][name] = canonical_url(value) if name == "url" else value


def _scalar(value: str) -> Any:
    """One flattened value read as YAML with the card loader's protections; text that does not load
    (an unsafe tag, an alias, a number that cannot convert) stays the text it is."""
    if not value:
        return None
    try:
        loaded = load_yaml(value, "README.md")
    except (ValueError, TypeError, OverflowError, RecursionError):
        return value
    return value if loaded.findings else loaded.data


# ---- identity -----------------------------------------------------------------------------------


def _repo_from_snippets(doc: Document) -> str | None:
    """The repository the card's own snippets load most often (they state it; nothing is guessed);
    a mirror's copy (`modelscope/...`) is not the repository the card describes."""
    loaded = Counter(
        repo
        for block in doc.code_blocks
        for repo in re.findall(r"""from_pretrained\(\s*["']([\w.-]+/[\w.-]+)["']""", block.text)
        if repo.split("/")[0].lower() not in MIRROR_OWNERS
    )
    return loaded.most_common(1)[0][0] if loaded else None


def _identity(doc: Document, meta: dict[str, Any]) -> Draft:
    languages = [t for t in map(as_text, _items(meta.get("language")) or [meta.get("language")]) if t]
    developer = _developer(doc.text)
    identity: Draft = {
        "repo_id": doc.repo_id or todo("Hub repo id, owner/name"),
        "name": display_name(doc) or todo("display name"),
        "developer": developer.group(1).strip() if developer else todo("organisation that built the model"),
        "family": todo("model family, e.g. StableLM"),
        "variant": todo("base | instruct | chat"),
        "languages": languages or todo("ISO 639 codes"),
    }
    if contact := re.search(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", prose_text(doc)):
        identity["contact"] = contact.group(0)
    if isinstance(meta.get("base_model"), str):
        identity["base_model"] = meta["base_model"]
    if tags := [t for t in map(as_text, _items(meta.get("tags"))) if t is not None]:
        identity["tags"] = tags
    return identity


DEVELOPER_LABEL = re.compile(r"Developed by|Model Developers")
DEVELOPER_NAME = re.compile(r"\**+[:\s]++\**+\s*+([A-Z][\w .()-]++)\s*$", re.M)
MAX_DEVELOPER_LABELS = 20
"""The name is tried after the first 20 labels only: each try reads to the end of its line, and a
line of `Developed by Developed by ...` would otherwise cost labels x line length."""


def _developer(text: str) -> re.Match[str] | None:
    """`Developed by: Stability AI` (the name may sit on the next line); group 1 is the name."""
    for index, label in enumerate(DEVELOPER_LABEL.finditer(text)):
        if index == MAX_DEVELOPER_LABELS:
            break
        if match := DEVELOPER_NAME.match(text, label.end()):
            return match
    return None


def _title(doc: Document) -> str | None:
    if doc.headings:
        return doc.headings[0][1]
    if doc.prose and (match := re.match(r"^\s*(\S.{3,79}?)\1", doc.prose[0].text)):
        return match.group(1)  # a scrape's doubled title, `Stable LM 2 12BStable LM 2 12B 是...`
    return None


# ---- architecture -------------------------------------------------------------------------------

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
    """Architecture figures the card's tables state for this model: config key -> cell text."""
    facts: dict[str, str] = {}
    for table in doc.tables:
        for _, key, cell in table_claims(doc, table):
            facts.setdefault(key, cell)
    return facts


def _architecture(doc: Document) -> Draft:
    facts = table_facts(doc)
    arch: Draft = {"model_type": doc.model_type or todo("transformers model_type")}
    count = as_number(facts.get("parameters", ""))
    size = doc.size_billions if doc.repo_id or not doc.identity.family else None
    label = f"{size:g}B" if size else None  # a family card's sizes are its members', not one model's
    arch["parameters"] = {
        "count": int(count) if count and count >= 1e6 else todo("exact parameter count"),
        "label": label or todo("size label, e.g. 7B"),
    }
    for key, field in ARCH_FIELDS.items():
        value = config_value(doc, key) if doc.config else None
        if value is None and key in facts:
            number = as_number(facts[key])
            value = int(number) if number is not None and not facts[key].lower().endswith("k") else None
        arch[field] = value if value is not None else todo(f"{field} from config.json")
    arch["positional_embedding"] = _positional(doc)
    arch["normalization"] = _normalization(doc.config or {}) or todo("layernorm | rmsnorm")
    activation = (doc.config or {}).get("hidden_act")
    arch["activation"] = (
        activation if activation in ("gelu", "gelu_new", "silu", "relu") else todo("activation")
    )
    tied = (doc.config or {}).get("tie_word_embeddings")
    arch["tied_embeddings"] = tied if isinstance(tied, bool) else todo("true | false")
    return arch


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
    if fraction is None and theta is None:
        return todo("rotary | alibi | learned | none, with rotary_fraction and rope_theta")
    positional: Draft = {"type": "rotary", "rotary_fraction": fraction or todo("rotary_fraction")}
    if theta is not None:
        positional["rope_theta"] = theta
    return positional


# ---- tokenizer, training, licence ---------------------------------------------------------------

VOCABULARY = re.compile(r"(?:vocabulary size of|词汇量为|词表大小为|vocabulary of)\s*([\d,]+)", re.I)


def _tokenizer(doc: Document) -> Draft:
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


HYPER_HEADERS = {
    "batch_size_sequences": re.compile(r"^batch size$", re.I),
    "learning_rate": re.compile(r"^(learning rate|lr)$", re.I),
    "warmup_steps": re.compile(r"^warm-?up( steps)?$", re.I),
    "weight_decay": re.compile(r"^weight decay$", re.I),
    "betas": re.compile(r"^betas?$", re.I),
}
HARDWARE = re.compile(
    r"(?<!\d)(\d++)\s*+(?:块|个)?\s*+"
    r"((?:NVIDIA\s++)?(?:A100|H100|V100|A10G|L40S|H200)(?:[- ]\d+GB)?)\s*(?:GPU)?",
    re.I,
)


def prose_text(doc: Document) -> str:
    """The card's sentences without its code: `torch_dtype=torch.bfloat16` is not training precision."""
    return "\n".join(segment.text for segment in doc.prose)


def _training(doc: Document, meta: dict[str, Any]) -> Draft:
    prose = prose_text(doc)
    stated_precision, candidates = precision(doc)
    training: Draft = {
        "stage": todo("pretraining | fine-tuning"),
        "summary": {**todo_text("training data and procedure"), **prose_sections(doc).get("training", {})},
        "datasets": _datasets(doc, meta) or [{"name": todo("training dataset")}],
        "precision": stated_precision
        or todo(f"float32 | float16 | bfloat16 | mixed-float16 | ...{candidates}"),
    }
    if optimizer := _optimizer(doc):
        training["optimizer"] = optimizer
    if hardware := HARDWARE.search(prose):
        name = hardware.group(2)
        training["hardware"] = {
            "type": name if name.upper().startswith("NVIDIA") else f"NVIDIA {name}",
            "count": int(hardware.group(1)),
        }
    if compute := _compute_table(doc):
        training["compute"] = {"table": compute}
    return training


def _datasets(doc: Document, meta: dict[str, Any]) -> list[Draft]:
    ids = [t for t in map(as_text, _items(meta.get("datasets"))) if t]
    if not ids:  # a mirror's `数据集:` label line: `owner/name owner/name ...` before any damage
        for index, line in enumerate(doc.lines[:12]):
            if re.search(r"(?:数据集|datasets)[:：]\s*$", line) and index + 1 < len(doc.lines):
                ids = [w for w in doc.lines[index + 1].split() if re.fullmatch(r"[A-Za-z][\w.-]*/[\w.-]+", w)]
    return [{"id": i, "name": i.split("/")[-1]} for i in ids if "/" in i]


def _precision(text: str) -> str | None:
    if re.search(r"mixed[- ]precision\s*\(FP16\)|混合精度\s*\(FP16\)", text, re.I):
        return "mixed-float16"
    if re.search(r"\bbfloat16\b|\bbf16\b", text, re.I):
        return "bfloat16"
    return None


def _optimizer(doc: Document) -> Draft | None:
    """AdamW named in the text, with the hyperparameter table's row for this model's size."""
    name = "AdamW" if re.search(r"(?<![A-Za-z])AdamW(?![A-Za-z])", prose_text(doc)) else None
    values: Draft = {}
    size = doc.size_billions
    for table in doc.tables:
        columns = {k: i for i, h in enumerate(table.header) for k, p in HYPER_HEADERS.items() if p.match(h)}
        if not columns:
            continue
        rows = (
            table.rows
            if len(table.rows) == 1
            else [
                (line, row)
                for line, row in table.rows
                if size and (s := size_of(row[0])) and same_size(s, size)
            ]
        )
        for _, row in rows[:1]:
            values.update({k: v for k, i in columns.items() if i < len(row) and (v := _hyper(k, row[i]))})
    if not name and not values:
        return None
    return {"name": name or todo("optimizer name"), **values}


MAX_HYPER_CELL = 100
"""A hyperparameter cell is a number or a pair (`(0.9, 0.95)`); longer cells are not read."""


def _hyper(key: str, cell: str) -> Any:
    if len(cell.strip()) > MAX_HYPER_CELL:
        return None
    try:
        value = ast.literal_eval(parse_snippet(cell.strip(), mode="eval"))
    except (SnippetError, ValueError, TypeError, RecursionError, MemoryError):
        return None
    if key == "betas":
        return list(value) if isinstance(value, tuple) and len(value) == 2 else None
    if key in ("batch_size_sequences", "warmup_steps"):
        return value if isinstance(value, int) else None
    return float(value) if isinstance(value, int | float) else None


def _is_compute_header(header: str) -> bool:
    """`GPU hours ... Power ... Carbon` in that order, or `GPU 小时`. Three finds, where the pattern
    `GPU hours.*Power.*Carbon` retried every `Power` against every later position (quadratic)."""
    lowered = header.lower()
    hours = lowered.find("gpu hours")
    power = lowered.find("power", hours + 9) if hours >= 0 else -1
    return (power >= 0 and lowered.find("carbon", power + 5) >= 0) or "gpu 小时" in lowered


def _plain(value: float | None) -> float | int | None:
    """Integral figures as ints, so the YAML reads `184320`, not `184320.0`."""
    return int(value) if value is not None and value.is_integer() else value


def _compute_table(doc: Document) -> Draft | None:
    """A published compute table (GPU hours, power, tCO2eq per model, and its total), row by row."""
    for table in doc.tables:
        header = doc.line(table.header_line) if table.header_line >= 1 else ""
        if not _is_compute_header(header):
            continue
        rows, totals = [], None
        for _, row in table.rows:
            numbers = [_plain(as_number(c)) for c in row[1:]]
            if re.match(r"^total", row[0], re.I):
                totals = numbers
            elif len(numbers) == 3 and None not in numbers:
                rows.append(
                    {
                        "label": row[0],
                        "gpu_hours": numbers[0],
                        "power_watts": numbers[1],
                        "co2_tonnes": numbers[2],
                    }
                )
        if not rows:
            continue
        draft: Draft = {"rows": rows}
        if totals and len(totals) == 2:
            draft["total_gpu_hours"], draft["total_co2_tonnes"] = totals
        return draft
    return None


LICENSE_NAMES = {
    r"apache(?: license)?,? (?:version )?2\.0": "apache-2.0",
    r"cc by-sa-4\.0|cc-by-sa-4\.0": "cc-by-sa-4.0",
    r"cc by-nc-sa-4\.0|cc-by-nc-sa-4\.0": "cc-by-nc-sa-4.0",
    r"\bmit license\b": "mit",
}


LICENSE_FULL_NAMES = {
    "apache-2.0": "Apache License 2.0",
    "mit": "MIT License",
    "cc-by-sa-4.0": "Creative Commons Attribution-ShareAlike 4.0",
    "cc-by-nc-sa-4.0": "Creative Commons Attribution-NonCommercial-ShareAlike 4.0",
}


def _licence_name(meta: dict[str, Any], license_id: str | None) -> str | None:
    """The Hub's `license_name` for an `other` licence, or the standard name of a standard id."""
    stated = meta.get("license_name")
    if license_id == "other" and isinstance(stated, str) and stated.strip():
        return stated.strip()
    return LICENSE_FULL_NAMES.get(license_id or "")


def _license(doc: Document, meta: dict[str, Any]) -> Draft:
    stated = meta.get("license")
    license_id = stated if isinstance(stated, str) and stated in HUB_LICENSE_IDS else None
    link = meta.get("license_link")
    if license_id is None:
        for index, line in enumerate(doc.lines[:12]):  # a mirror's `许可:` label, value on the next line
            if re.search(r"(?:许可|license)[:：]\s*$", line, re.I) and index + 1 < len(doc.lines):
                following = doc.lines[index + 1]
                license_id = next(
                    (i for i in sorted(HUB_LICENSE_IDS, key=len, reverse=True) if following.startswith(i)),
                    None,
                )
    hint = ""
    if license_id is None:
        license_id, hint = licence(doc, LICENSE_NAMES)
    return {
        "id": license_id or todo(f"Hub licence id, or `other` with a url{hint}"),
        "name": _licence_name(meta, license_id) or todo("full licence name"),
        **({"url": link} if license_id == "other" and isinstance(link, str) and link.startswith("https://")
           else {}),
        "commercial_use": todo_text("whether and how commercial use is allowed"),
    }


# ---- usage and evaluation -----------------------------------------------------------------------


def _usage(doc: Document) -> Draft:
    snippets: list[Any] = []
    prompt: Any = None
    generation: dict[str, Any] = {}
    for block in doc.code_blocks:
        if block.language not in ("python", "bash"):
            continue
        title = {**todo_text("snippet title"), **snippet_title(doc, block)}
        if block.flattened:
            snippets.append({"title": title, "code": todo(f"restore the line breaks of: {block.text}")})
            continue
        snippets.append({"title": title, "language": block.language, "code": block.text + "\n"})
        if block.language == "python":
            prompt = prompt or _example_prompt(block)
            generation = generation or _generation(block)
    usage: Draft = {}
    if requirements := sorted(set(re.findall(r"transformers\s*>=\s*\d+(?:\.\d+)*", doc.text))):
        usage["requirements"] = [r.replace(" ", "") for r in requirements]
    usage["example_prompt"] = prompt or todo("a prompt for examples and the smoke test")
    if generation:
        usage["generation"] = generation
    usage["snippets"] = snippets or [{"title": todo_text("snippet title"), "code": todo("get-started code")}]
    return usage


def _calls(block: CodeBlock) -> Iterator[ast.Call]:
    try:
        tree = parse_snippet(block.text)
    except SnippetError:
        return
    yield from (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _example_prompt(block: CodeBlock) -> str | None:
    """The literal text the snippet feeds the tokenizer or pipeline: the card's own example prompt."""
    for call in _calls(block):
        name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
        if name in ("tokenizer", "pipeline", "generator") and call.args:
            first = call.args[1] if name == "pipeline" and len(call.args) > 1 else call.args[0]
            if name == "pipeline" and first is call.args[0]:
                continue  # pipeline("text-generation", ...): its first argument is the task
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                return first.value
    match = re.search(r"""^prompt\s*=\s*["']([^"'{}]+)["']""", block.text, re.M)
    return match.group(1) if match else None


GENERATION_KEYS = ("do_sample", "temperature", "top_p", "top_k", "max_new_tokens", "repetition_penalty")


def _generation(block: CodeBlock) -> Draft:
    for call in _calls(block):
        if getattr(call.func, "attr", "") != "generate":
            continue
        settings = {
            kw.arg: kw.value.value
            for kw in call.keywords
            if kw.arg in GENERATION_KEYS
            and isinstance(kw.value, ast.Constant)
            and (isinstance(kw.value.value, bool) or _metric_value(kw.value.value) is not None)
        }
        if settings:
            return settings
    return {}


def _evaluation(doc: Document, meta: dict[str, Any]) -> Draft | None:
    results = [
        _result(r)
        for r in meta.get("results", [])
        if isinstance(r.get("metric", {}).get("value"), int | float)
    ]
    if not results:
        results = list(_table_results(doc))
    if not results:
        results = [
            {
                "id": _slug(found["benchmark"]),
                "dataset": {"name": found["benchmark"], "type": todo("Hub dataset id or type")},
                "metric": {"type": todo("metric id"), "value": found["value"]},
            }
            for found in table_results(doc, display_name(doc))
        ]
    if not results:
        return None
    _unique_ids(results)
    evaluation: Draft = {"results": results}
    if summary := _average(doc, results):
        evaluation["summaries"] = [summary]
    return evaluation


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "result"


def _result(raw: dict[str, Any]) -> Draft:
    dataset = {k: v for k, v in raw["dataset"].items() if v is not None}
    dataset.setdefault("name", todo("dataset name"))
    dataset.setdefault("type", todo("Hub dataset id or type"))
    metric = {k: v for k, v in raw["metric"].items() if v is not None}
    metric.setdefault("type", todo("metric id"))
    result: Draft = {"id": _slug(str(dataset.get("type", "result")).split("/")[-1]), "dataset": dataset}
    if isinstance(raw.get("few_shot"), int):
        result["few_shot"] = raw["few_shot"]
    result["metric"] = metric
    source = {k: v for k, v in (raw.get("source") or {}).items() if v}
    if source.get("name"):
        result["source"] = source
    return result


def _unique_ids(results: list[Draft]) -> None:
    seen: Counter[str] = Counter()
    for result in results:
        seen[result["id"]] += 1
        if seen[result["id"]] > 1:
            result["id"] = f"{result['id']}-{seen[result['id']]}"


BENCHMARKS = [
    "Commonsense Reasoning",
    "World Knowledge",
    "Reading Comprehension",
    "AGI Eval",
    "TruthfulQA",
    "Toxigen",
    "Code",
    "Math",
    "MMLU",
    "BBH",
    "HellaSwag",
    "Winogrande",
    "GSM8K",
    "ARC",
]
"""Benchmark names a space-separated results table (whose cell borders a scrape lost) can be split on."""


def _table_results(doc: Document) -> Iterator[Draft]:
    """Scores from a per-model results table: this model's row, columns named by known benchmarks."""
    for table in doc.tables:
        if table.header or table.header_line < 1:
            continue
        names = _benchmark_columns(doc.line(table.header_line))
        for _, row in table.rows:
            if names and len(row) - 1 == len(names) and _is_this_model(doc, row[0]):
                for name, cell in zip(names, row[1:], strict=True):
                    yield {
                        "id": _slug(name),
                        "dataset": {"name": name, "type": todo("Hub dataset id or type")},
                        "metric": {"type": todo("metric id"), "value": as_number(cell)},
                    }


def _benchmark_columns(header: str) -> list[str]:
    pattern = "|".join(re.escape(b) for b in BENCHMARKS)
    return re.findall(rf"(?<!\w)(?:{pattern})(?!\w)", header, re.I)


def _is_this_model(doc: Document, label: str) -> bool:
    """`Llama 2 13B` is this model's row in a `Llama-2-13b-hf` card; `Llama 1 13B`, `Llama-2-Chat` are not."""
    if not doc.repo_id:
        return False
    words = set(re.split(r"[\s_-]+", label.lower()))
    return bool(SIZE.search(label)) and words <= set(re.split(r"[\s/_-]+", doc.repo_id.lower()))


def _average(doc: Document, results: list[Draft]) -> Draft | None:
    """A published `Avg.` row, as a summary over the results (validate recomputes it)."""
    for table in doc.tables:
        for _, row in table.rows:
            if len(row) >= 2 and re.fullmatch(r"avg\.?|average", row[0].strip(), re.I):
                value = as_number(row[1])
                if value is not None:
                    decimals = len(row[1].split(".")[1]) if "." in row[1] else 0
                    return {
                        "name": row[0].strip(),
                        "of": [r["id"] for r in results],
                        "value": value,
                        "decimals": decimals,
                    }
    return None


# ---- citation -----------------------------------------------------------------------------------


def _citation(doc: Document) -> str | dict[str, str]:
    entries = [entry for _, entry in islice(bibtex_entries(doc.text), MAX_BIBTEX_ENTRIES)]
    if not entries:
        return todo("BibTeX for the model, or delete this key")
    text = "\n\n".join(entries)
    text = re.sub(
        r"https?://(?:" + "|".join(map(re.escape, MIRROR_HOSTS)) + ")", "https://huggingface.co", text
    )
    problems = bibtex_problems(text)
    return todo(f"fix the BibTeX ({'; '.join(problems)}): {text}") if problems else text + "\n"


__all__ = ["draft_yaml", "import_card", "is_todo", "todo"]
