"""Every shipped snippet runs, offline, against a tiny checkpoint of its card's architecture.

On this interpreter (the newest versions the ranges allow) always; on the card's stated minimum
versions too when `CARDKIT_SNIPPET_PYTHON` names a throw-away environment holding them (`.ci/run`
builds one with `.ci/snippet-env`). A snippet whose own requirements are not installed there (a
FlashAttention example on a machine without flash-attn or a GPU) is skipped, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from tests.helpers import CARDS_DIR, SLUGS
from tests.snippet_runner import ENVIRONMENT_VARIABLE, importable, local_code, run_in, versions
from tests.tiny_models import tiny_zoo_in

MINIMUMS = os.environ.get(ENVIRONMENT_VARIABLE)
INTERPRETERS = [sys.executable] + ([MINIMUMS] if MINIMUMS else [])
IMPORT_NAMES = {"flash-attn": "flash_attn"}


def _snippets() -> list[tuple[str, int]]:
    cases = []
    for slug in SLUGS:
        card = yaml.safe_load((CARDS_DIR / slug / "card.yaml").read_text(encoding="utf-8"))
        snippets = card["usage"]["snippets"]
        cases += [(slug, i) for i, s in enumerate(snippets) if s.get("language", "python") == "python"]
    return cases


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each tiny checkpoint as a published repo has it: a tokenizer class every release knows.

    transformers 5 saves its fast tokenizers as `TokenizersBackend`, a name 4.x cannot load, with
    the extra special tokens as a list under `extra_special_tokens` (4.x reads a mapping there);
    published repos name `PreTrainedTokenizerFast`, list `additional_special_tokens` and state
    the model's inputs (Falcon's does: without it 4.x also returns `token_type_ids`, which
    `generate` refuses), all of which every release reads.
    """
    root = tmp_path_factory.mktemp("published")
    found = {}
    for slug, tiny in tiny_zoo_in(tmp_path_factory).items():
        folder = shutil.copytree(tiny.checkpoint, root / slug)
        settings = folder / "tokenizer_config.json"
        data = json.loads(settings.read_text(encoding="utf-8"))
        data["tokenizer_class"] = "PreTrainedTokenizerFast"
        data.setdefault("model_input_names", ["input_ids", "attention_mask"])
        if isinstance(data.get("extra_special_tokens"), list):
            data["additional_special_tokens"] = data.pop("extra_special_tokens")
        settings.write_text(json.dumps(data, indent=2), encoding="utf-8")
        found[slug] = folder
    return found


@pytest.mark.parametrize("python", INTERPRETERS, ids=["newest", "stated-minimums"][: len(INTERPRETERS)])
@pytest.mark.parametrize(("slug", "index"), _snippets())
def test_snippet_runs(slug: str, index: int, python: str, checkpoints: dict[str, Path]) -> None:
    card = yaml.safe_load((CARDS_DIR / slug / "card.yaml").read_text(encoding="utf-8"))
    snippet = card["usage"]["snippets"][index]
    for line in snippet.get("requirements", []):
        name = Requirement(line).name
        module = IMPORT_NAMES.get(name, name.replace("-", "_"))
        if not importable(python, module):
            pytest.skip(f"{slug} snippet {index + 1} needs {line}, which is not installed here")
    code = local_code(snippet["code"], card["identity"]["repo_id"], checkpoints[slug])
    outcome = run_in(python, code)
    installed = versions(python, "transformers", "torch", "accelerate")
    assert outcome.returncode == 0, f"{slug} snippet {index + 1} on {installed}:\n{outcome.stderr[-3000:]}"
    assert outcome.stdout.strip(), f"{slug} snippet {index + 1} printed nothing on {installed}"


def test_the_rewrite_keeps_everything_but_the_repo_id_and_the_gpu() -> None:
    code = 'm = M.from_pretrained("org/name", dtype="auto")\nm.cuda()\nx = t(p).to(m.device)\n'
    rewritten = local_code(code, "org/name", CARDS_DIR)
    assert rewritten.splitlines() == [
        f"m = M.from_pretrained({str(CARDS_DIR)!r}, dtype='auto')",
        "m",
        "x = t(p).to(m.device)",
    ]
