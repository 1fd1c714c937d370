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
from cardkit.importing.draft import Draft, as_metric_value, todo, todo_text
from cardkit.readme.claims import MAX_BIBTEX_ENTRIES, snippet_title
from cardkit.readme.document import CodeBlock, Document, bibtex_entries


def draft_usage(doc: Document) -> Draft:
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
            and (isinstance(kw.value.value, bool) or as_metric_value(kw.value.value) is not None)
        }
        if settings:
            return settings
    return {}


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
