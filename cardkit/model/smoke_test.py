"""Generate from the loaded model exactly as the card tells its readers to, and check the plumbing.

Random or broken weights cannot be judged by the text they write, but the card's promises can be
checked mechanically: the prompt format tokenizes, the logits are finite, at least one token comes
out, every stop token is one token of the vocabulary and really ends generation, and the tokenizer
decodes what it encodes. Timings (time to first token, tokens per second) go into the report.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from cardkit.card.load import CheckedCard
from cardkit.card.paths import display_path
from cardkit.core.findings import Finding
from cardkit.core.safe_io import is_regular_file
from cardkit.model.codes import (
    GENERATE_FAILED,
    GENERATE_LOGITS_NOT_FINITE,
    GENERATE_NO_TOKENS,
    GENERATE_PROMPT_EMPTY,
    GENERATE_ROUNDTRIP_MISMATCH,
    GENERATE_STOP_IGNORED,
    GENERATE_STOP_TOKEN_MISSING,
    GENERATE_STOP_TOKEN_SPLIT,
    GENERATE_TOKENIZER_FAILED,
)

SEED = 1234
"""Fixed so that two runs of validate sample the same tokens from the same weights."""
FORCED_STOP_TOKENS = 3
"""Tokens a forced-stop probe may generate: one stop token, then it must have ended."""
MAX_TOKENIZER_FILE_BYTES = 256 * 1024 * 1024
"""Each tokenizer file; the largest real tokenizer.json (a 256k vocabulary) is about 35 MB."""
MAX_FOLDER_ENTRIES = 100_000
"""Entries of the checkpoint folder looked at for tokenizer files."""
TOKENIZER_FILE = re.compile(
    r"^(tokenizer.*|vocab.*|merges\.txt|special_tokens_map\.json|added_tokens\.json|chat_template\..*"
    r"|.*\.model|.*\.tiktoken|tekken\.json)$"
)
"""Names AutoTokenizer may open in a local folder (transformers' tokenization_utils_base)."""
TEMPLATE_DIR = "additional_chat_templates"
"""transformers' CHAT_TEMPLATE_DIR: every `*.jinja` in it is read as a named chat template."""
VOCABULARY_FILES = (
    "tokenizer.json",
    "tokenizer.model",
    "vocab.json",
    "vocab.txt",
    "spiece.model",
    "tekken.json",
)
"""At least one must exist: without a vocabulary AutoTokenizer may build an empty tokenizer that
encodes every prompt to no tokens."""


@dataclass
class StopToken:
    index: int
    text: str
    token_id: int | None


@dataclass
class TokenTimer:
    """A generate() streamer that notes when the first new token arrives (the prompt comes first)."""

    start: float = field(default_factory=time.perf_counter)
    first: float | None = None
    calls: int = 0

    def put(self, value: Any) -> None:
        self.calls += 1
        if self.calls == 2 and self.first is None:
            self.first = time.perf_counter()

    def end(self) -> None:
        """Called by generate() when it is done; nothing to flush."""


def build_prompt(loaded: CheckedCard, tokenizer: Any) -> str:
    """The card's prompt format filled with its example prompt, else the tokenizer's chat template."""
    usage = loaded.card.usage
    fmt = usage.prompt_format
    if fmt is not None:
        system = fmt.system_prompt or ""
        return fmt.template.replace("{system}", system).replace("{prompt}", usage.example_prompt)
    if getattr(tokenizer, "chat_template", None):
        messages = [{"role": "user", "content": usage.example_prompt}]
        prompt: str = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return prompt
    return usage.example_prompt


def stop_tokens(loaded: CheckedCard, tokenizer: Any) -> tuple[list[StopToken], list[Finding]]:
    """Each stop token's id; one missing from the vocabulary, or split into pieces, is a finding."""
    vocab = tokenizer.get_vocab()
    tokens, findings = [], []
    for index, text in enumerate(loaded.card.usage.stop_tokens):
        where = ("usage", "stop_tokens", index)
        token_id = vocab.get(text)
        tokens.append(StopToken(index, text, token_id))
        if token_id is None:
            pieces = tokenizer.encode(text, add_special_tokens=False)
            message = (
                f"{text!r} is not a token of the vocabulary; it encodes to {len(pieces)} tokens {pieces}"
            )
            findings.append(
                loaded.finding(GENERATE_STOP_TOKEN_MISSING, message, where, actual=text)
            )
            continue
        encoded = tokenizer.encode(text, add_special_tokens=False)
        if encoded != [token_id]:
            message = f"{text!r} is token {token_id}, but the tokenizer encodes the text as {encoded}"
            findings.append(
                loaded.finding(
                    GENERATE_STOP_TOKEN_SPLIT,
                    message,
                    where,
                    expected=[token_id],
                    actual=encoded,
                )
            )
    return tokens, findings


def generation_kwargs(loaded: CheckedCard, stop_ids: list[int], tokenizer: Any) -> dict[str, Any]:
    """The card's generation defaults, with its stop tokens as the end-of-sequence ids."""
    settings = loaded.card.usage.generation
    kwargs: dict[str, Any] = {"max_new_tokens": settings.max_new_tokens, "do_sample": settings.do_sample}
    for name in ("temperature", "top_p", "top_k", "repetition_penalty"):
        value = getattr(settings, name)
        if value is not None and (settings.do_sample or name == "repetition_penalty"):
            kwargs[name] = value
    eos = stop_ids or ([tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else [])
    if eos:
        kwargs["eos_token_id"] = eos
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (eos[0] if eos else None)
    if pad is not None:
        kwargs["pad_token_id"] = pad
    return kwargs


def tokenizer_file_problem(folder: Path) -> str | None:
    """Why the folder's tokenizer files cannot be handed to AutoTokenizer, or None when they can:
    each must be a regular file within `MAX_TOKENIZER_FILE_BYTES`, and a vocabulary must exist."""
    try:
        with os.scandir(folder) as entries:
            names = [entry.name for entry in islice(entries, MAX_FOLDER_ENTRIES)]
    except OSError as exc:
        return f"cannot list the folder: {exc.strerror or type(exc).__name__}"
    templates = folder / TEMPLATE_DIR
    listed = [n for n in names if TOKENIZER_FILE.match(n)]
    if TEMPLATE_DIR in names and templates.is_dir():
        with os.scandir(templates) as entries:
            listed += [f"{TEMPLATE_DIR}/{e.name}" for e in islice(entries, MAX_FOLDER_ENTRIES)]
    for name in sorted(listed):
        path = folder / name
        if not is_regular_file(path):
            return f"{name} is not a regular file"
        size = path.stat().st_size
        if size > MAX_TOKENIZER_FILE_BYTES:
            return f"{name} is {size:,} bytes; the limit is {MAX_TOKENIZER_FILE_BYTES:,}"
    if not any(name in names for name in VOCABULARY_FILES):
        return f"no tokenizer in the folder (none of {', '.join(VOCABULARY_FILES)})"
    return None


def load_tokenizer(folder: Path, trust_remote_code: bool) -> Any:
    from transformers import AutoTokenizer  # lazy: heavy; only --generate needs it

    return AutoTokenizer.from_pretrained(
        str(folder), local_files_only=True, trust_remote_code=trust_remote_code
    )


def _finite_logits(model: Any, inputs: dict[str, Any], display: str) -> list[Finding]:
    import torch

    with torch.no_grad():
        logits = model(**inputs).logits
    bad = int((~torch.isfinite(logits)).sum())
    if not bad:
        return []
    message = f"{bad} of {logits.numel()} prompt logits are NaN or infinite"
    return [GENERATE_LOGITS_NOT_FINITE.finding(message, display, expected=0, actual=bad)]


def _timed_generate(model: Any, inputs: dict[str, Any], kwargs: dict[str, Any]) -> tuple[Any, TokenTimer]:
    import torch

    torch.manual_seed(SEED)
    timer = TokenTimer()
    with torch.no_grad():
        output = model.generate(**inputs, **kwargs, streamer=timer)
    return output, timer


def forced_stop_ends_generation(
    model: Any, inputs: dict[str, Any], stop_id: int, kwargs: dict[str, Any]
) -> bool:
    """Force `stop_id` as the first new token and see whether generation ends right after it."""
    import torch
    from transformers import LogitsProcessorList

    def force(input_ids: Any, scores: Any) -> Any:
        forced = torch.full_like(scores, float("-inf"))
        forced[:, stop_id] = 0.0
        return forced

    probe = dict(kwargs, max_new_tokens=FORCED_STOP_TOKENS, do_sample=False)
    for name in ("temperature", "top_p", "top_k"):
        probe.pop(name, None)
    with torch.no_grad():
        output = model.generate(**inputs, **probe, logits_processor=LogitsProcessorList([force]))
    return bool(output.shape[-1] - inputs["input_ids"].shape[-1] == 1)


def _stop_findings(
    loaded: CheckedCard, model: Any, inputs: dict[str, Any], tokens: list[StopToken], kwargs: dict[str, Any]
) -> list[Finding]:
    findings = []
    for token in tokens:
        if token.token_id is None or forced_stop_ends_generation(model, inputs, token.token_id, kwargs):
            continue
        message = f"generation went on after {token.text!r} (id {token.token_id}) was produced"
        findings.append(
            loaded.finding(
                GENERATE_STOP_IGNORED,
                message,
                ("usage", "stop_tokens", token.index),
                expected="generation ends",
                actual="generation continued",
            )
        )
    return findings


def _roundtrip(loaded: CheckedCard, tokenizer: Any) -> list[Finding]:
    text = loaded.card.usage.example_prompt
    decoded = tokenizer.decode(tokenizer.encode(text, add_special_tokens=False))
    if decoded == text:
        return []
    message = "decoding the encoded example prompt does not give it back"
    return [
        loaded.finding(
            GENERATE_ROUNDTRIP_MISMATCH,
            message,
            ("usage", "example_prompt"),
            expected=text,
            actual=decoded,
        )
    ]


def run_smoke_test(
    loaded: CheckedCard, folder: Path, model: Any, trust_remote_code: bool = False
) -> tuple[list[Finding], dict[str, Any]]:
    """Findings from generating with the card's prompt, stop tokens and defaults; and the timings."""
    display = display_path(folder)
    if problem := tokenizer_file_problem(folder):
        return [GENERATE_TOKENIZER_FAILED.finding(problem, display)], {}
    try:
        tokenizer = load_tokenizer(folder, trust_remote_code)
    except Exception as exc:  # a broken tokenizer raises anything from OSError to ValueError
        return [GENERATE_TOKENIZER_FAILED.finding(_reason(exc), display)], {}
    try:
        return _smoke_test(loaded, display, model, tokenizer)
    except Exception as exc:  # tokenizer or model code failing on this input is the finding
        message = f"the smoke test failed: {_reason(exc)}"
        return [GENERATE_FAILED.finding(message, display)], {}


def _reason(exc: BaseException) -> str:
    """The exception's type and first non-empty line: a finding is one line, never a traceback."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[0][:300]}" if lines else type(exc).__name__


def _smoke_test(
    loaded: CheckedCard, display: str, model: Any, tokenizer: Any
) -> tuple[list[Finding], dict[str, Any]]:
    tokens, findings = stop_tokens(loaded, tokenizer)
    findings += _roundtrip(loaded, tokenizer)
    prompt = build_prompt(loaded, tokenizer)
    inputs = dict(tokenizer(prompt, return_tensors="pt").to(model.device))
    if inputs["input_ids"].shape[-1] == 0:
        message = "the tokenizer encodes the prompt to no tokens (an empty vocabulary?)"
        return [*findings, GENERATE_PROMPT_EMPTY.finding(message, display)], {}
    not_finite = _finite_logits(model, inputs, display)
    if not_finite:
        return findings + not_finite, {}  # sampling from NaN would only crash; the finding says why
    kwargs = generation_kwargs(loaded, [t.token_id for t in tokens if t.token_id is not None], tokenizer)
    try:
        output, timer = _timed_generate(model, inputs, kwargs)
    except Exception as exc:  # whatever generate() raises is the finding
        message = f"generate() failed: {_reason(exc)}"
        return [*findings, GENERATE_FAILED.finding(message, display)], {}
    finished = time.perf_counter()
    prompt_len = inputs["input_ids"].shape[-1]
    new_ids = output[0, prompt_len:].tolist()
    findings += _new_token_findings(new_ids, kwargs.get("eos_token_id", []), display)
    findings += _stop_findings(loaded, model, inputs, tokens, kwargs)
    return findings, _figures(timer, finished, prompt_len, new_ids, tokenizer)


def _new_token_findings(new_ids: list[int], stop_ids: list[int], display: str) -> list[Finding]:
    if not new_ids:
        return [GENERATE_NO_TOKENS.finding("generate() produced no new token", display)]
    early = [i for i, token in enumerate(new_ids[:-1]) if token in stop_ids]
    if early:
        message = f"stop token {new_ids[early[0]]} at position {early[0]} did not end generation"
        return [GENERATE_STOP_IGNORED.finding(message, display, actual=new_ids[early[0]])]
    return []


def _figures(
    timer: TokenTimer, finished: float, prompt_len: int, new_ids: list[int], tokenizer: Any
) -> dict[str, Any]:
    first = timer.first or finished
    after_first = finished - first
    return {
        "prompt_tokens": prompt_len,
        "new_tokens": len(new_ids),
        "time_to_first_token_s": round(first - timer.start, 4),
        "tokens_per_s": round((len(new_ids) - 1) / after_first, 2)
        if len(new_ids) > 1 and after_first
        else None,
        "seconds": round(finished - timer.start, 3),
        "seed": SEED,
        "text": tokenizer.decode(new_ids)[:200],
    }
