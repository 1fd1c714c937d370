"""The draft's usage and citation: the README's snippets (a flattened one becomes a TODO to restore),
the example prompt and generation settings its code states, and its BibTeX with mirror links undone.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from itertools import islice
from typing import Any

from cardkit.core.citation import bibtex_problems
from cardkit.core.python_snippet import SnippetError, parse_snippet
from cardkit.core.text_patterns import MIRROR_HOSTS
from cardkit.importing.draft import Draft, as_metric_value, prose_text, todo, todo_text
from cardkit.importing.requirements import pip_requirements
from cardkit.readme.claims import MAX_BIBTEX_ENTRIES, snippet_title
from cardkit.readme.document import CodeBlock, Document, bibtex_entries

TRANSFORMERS_IN_WORDS = re.compile(
    r"\btransformers(?: version)?,? v?(\d{1,3}\.\d{1,3}(?:\.\d{1,3})?)\s*(?:or (?:newer|later|above)|及以上)",
    re.I,
)
"""`a stable version of Transformers, 4.34.0 or newer`, `transformers 4.32.0及以上版本`."""


def draft_usage(doc: Document) -> Draft:
    snippets: list[Any] = []
    prompt: Any = None
    generation: dict[str, Any] = {}
    installed: list[str] = []
    pending: list[str] | None = None
    for block in doc.code_blocks:
        if block.language not in ("python", "bash"):
            continue
        if (packages := pip_requirements(block)) is not None:
            if any(s.get("language") == "python" for s in snippets):
                pending = [*(pending or []), *packages]  # what the next snippet also needs
            else:
                installed += packages
            continue
        title = {**todo_text("snippet title"), **snippet_title(doc, block)}
        if block.flattened:
            snippets.append({"title": title, "code": todo(f"restore the line breaks of: {block.text}")})
            continue
        snippet: Draft = {"title": title, "language": block.language}
        if pending and block.language == "python":
            snippet["requirements"], pending = list(dict.fromkeys(pending)), None
        snippets.append({**snippet, "code": block.text + "\n"})
        if block.language == "python":
            prompt = prompt or _example_prompt(block)
            generation = generation or _generation(block)
    usage: Draft = {}
    stated = sorted(
        {*re.findall(r"transformers\s*>=\s*\d+(?:\.\d+)*", doc.text)}
        | {f"transformers>={v}" for v in TRANSFORMERS_IN_WORDS.findall(prose_text(doc))}
    )
    if not any(re.match(r"transformers\b", p) for p in installed):  # the install line's own pin first
        installed += [r.replace(" ", "") for r in stated]
    if installed:
        usage["requirements"] = list(dict.fromkeys(installed))
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


TASK_NAME = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
"""`text-generation`: a pipeline's task, not a prompt (a prompt has spaces or capitals)."""


def _prompt_argument(node: ast.AST, names: dict[str, str]) -> str | None:
    """The literal prompt a call or message feeds the model: `tokenizer("...")`, a pipeline object
    called on text, `model.chat(tokenizer, "...")`, or `{"role": "user", "content": "..."}`."""
    first: ast.expr | None = None
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name in ("tokenizer", "pipeline", "generator", "pipe") and node.args:
            first = node.args[0]
        elif name == "chat" and len(node.args) >= 2:
            first = node.args[1]
    elif isinstance(node, ast.Dict):
        pairs = {k.value: v for k, v in zip(node.keys, node.values, strict=True)
                 if isinstance(k, ast.Constant) and isinstance(k.value, str)}  # fmt: skip
        role = pairs.get("role")
        if isinstance(role, ast.Constant) and role.value == "user":
            first = pairs.get("content")
    if isinstance(first, ast.Name) and first.id in names:  # prompt = "..."; tokenizer(prompt)
        return names[first.id]
    if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.strip():
        return None if TASK_NAME.match(first.value) else first.value
    return None


def _string_names(tree: ast.AST) -> dict[str, str]:
    """Names the snippet binds once to a literal string (`prompt = "Q: ...\\nA:"`, escapes decoded)."""
    bound: dict[str, list[str | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            text = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
            bound.setdefault(node.targets[0].id, []).append(text)
    return {name: texts[0] for name, texts in bound.items() if len(texts) == 1 and texts[0] is not None}


def _example_prompt(block: CodeBlock) -> str | None:
    """The first literal text, in source order, that the snippet feeds the model: its example prompt."""
    try:
        tree = parse_snippet(block.text)
    except SnippetError:
        tree = None
    if tree is not None:
        nodes = sorted(
            (n for n in ast.walk(tree) if isinstance(n, ast.Call | ast.Dict)),
            key=lambda n: (n.lineno, n.col_offset),
        )
        names = _string_names(tree)
        for node in nodes:
            if (prompt := _prompt_argument(node, names)) is not None:
                return prompt
        return names.get("prompt")
    return None

GENERATION_KEYS = ("do_sample", "temperature", "top_p", "top_k", "max_new_tokens", "repetition_penalty")


def _settings(pairs: Iterator[tuple[str | None, ast.expr]]) -> Draft:
    return {
        key: value.value
        for key, value in pairs
        if key in GENERATION_KEYS
        and isinstance(value, ast.Constant)
        and (isinstance(value.value, bool) or as_metric_value(value.value) is not None)
    }


def _generation(block: CodeBlock) -> Draft:
    """The sampling settings of the first call that generates: `model.generate(...)` (with a
    `**gen_kwargs` dict literal the snippet binds) or a pipeline object called on the prompt."""
    calls = sorted(_calls(block), key=lambda c: (c.lineno, c.col_offset))
    dicts = _bound_dicts(block)
    for call in calls:
        name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
        pipeline_object = name in ("pipeline", "pipe", "generator") and isinstance(call.func, ast.Name)
        if name == "generate" or pipeline_object:
            pairs = [(kw.arg, kw.value) for kw in call.keywords]
            for kw in call.keywords:
                if kw.arg is None and isinstance(kw.value, ast.Name) and kw.value.id in dicts:
                    pairs += dicts[kw.value.id]
            if settings := _settings(iter(pairs)):
                return settings
    return {}


def _bound_dicts(block: CodeBlock) -> dict[str, list[tuple[str | None, ast.expr]]]:
    """`gen_kwargs = {"do_sample": True, ...}`: dict literals bound to a name, as key/value pairs."""
    try:
        tree = parse_snippet(block.text)
    except SnippetError:
        return {}
    bound: dict[str, list[tuple[str | None, ast.expr]]] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Dict)
        ):
            bound[node.targets[0].id] = [
                (k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None, v)
                for k, v in zip(node.value.keys, node.value.values, strict=True)
            ]
    return bound


def draft_citation(doc: Document) -> str | dict[str, str]:
    entries = [entry for _, entry in islice(bibtex_entries(doc.text), MAX_BIBTEX_ENTRIES)]
    if not entries:
        return todo("BibTeX for the model, or delete this key")
    text = "\n\n".join(entries)
    text = re.sub(
        r"https?://(?:" + "|".join(map(re.escape, MIRROR_HOSTS)) + ")", "https://huggingface.co", text
    )
    problems = bibtex_problems(text)
    return todo(f"fix the BibTeX ({'; '.join(problems)}): {text}") if problems else text + "\n"
