"""Where a scraped seed card is wrong, our card is right, and validate catches the seed's version.

Each case puts the seed's value (file and line in ../shared/seeds/ noted) into a copy of our card.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cardkit.core.findings import Severity
from cardkit.validate import ValidateOptions, validate_card
from tests.helpers import CARDS_DIR, replace_once

# (card, our text, the seed's version, finding code, field, needs the model checks, seed reference)
SEED_DEFECTS = [
    (
        "llama-2-13b",
        "        - {label: Llama 2 34B, gpu_hours: 1038336, power_watts: 350, co2_tonnes: 153.90}\n",
        "",
        "training-total-mismatch",
        "training.compute.table.total_gpu_hours",
        False,
        "004:133-136 carbon table drops the 34B row but keeps the family total",
    ),
    (
        "llama-2-13b",
        'tokenizer = AutoTokenizer.from_pretrained("meta-llama/Llama-2-13b-hf")',
        'tokenizer = AutoTokenizer.from_pretrained("modelscope/Llama-2-7b-ms")',
        "usage-snippet-repo",
        "usage.snippets[0].code",
        False,
        "004:66 tokenizer of another (7B) model",
    ),
    (
        "llama-2-13b",
        "    label: 13B",
        "    label: 7B",
        "identity-size-label",
        "architecture.parameters.label",
        False,
        "004:10 'This is the repository for the 7B pretrained model' in a 13B card",
    ),
    (
        "stablelm-2-12b",
        "      amount: -419840\n",
        "      amount: 0\n",
        "param-count-mismatch",
        "architecture.parameters.count",
        True,
        "000:39 published 12,143,605,760 vs the architecture",
    ),
    (
        "falcon-40b-instruct",
        "  tied_embeddings: true",
        "  tied_embeddings: false",
        "config-mismatch",
        "architecture.tied_embeddings",
        True,
        "config.json has no tie_word_embeddings: FalconConfig ties by default",
    ),
    (
        "stablelm-3b-4e1t",
        "  vocab_size: 50304",
        "  vocab_size: 50257",
        "config-mismatch",
        "architecture.vocab_size",
        True,
        "002:187 states the tokenizer's 50,257 where the embedding has 50,304 rows",
    ),
    (
        "stablelm-3b-4e1t",
        "url: https://huggingface.co/spaces/HuggingFaceH4/open_llm_leaderboard?query=stabilityai/"
        "stablelm-3b-4e1t\n    - id: hellaswag",
        "url: https://chatgptweb.us.kg/spaces/HuggingFaceH4/open_llm_leaderboard?query=stabilityai/stablelm-3b-4e1t\n"
        "    - id: hellaswag",
        "card-mirror-url",
        "evaluation.results[0].source.url",
        False,
        "002:31 leaderboard links rewritten to a mirror host",
    ),
    (
        "stablelm-tuned-alpha-7b",
        'from_pretrained("stabilityai/stablelm-tuned-alpha-7b")',
        'from_pretrained("StabilityAI/stablelm-tuned-alpha-7b")',
        "usage-snippet-repo",
        "usage.snippets[0].code",
        False,
        "001:9 snippet spells the organisation `StabilityAI/`, which is not the repo id",
    ),
    (
        "stablelm-tuned-alpha-7b",
        "    - id: tatsu-lab/alpaca\n",
        "    - id: 3Atatsu-lab/alpaca\n",
        "training-dataset-id-damaged",
        "training.datasets[0].id",
        False,
        "001:5 dataset ids glued to the residue of a URL-encoded ':' (`3Atatsu-lab/alpaca`)",
    ),
    (
        "stablelm-3b-4e1t",
        "  contact: lm@stability.ai",
        "  contact: '[email protected]'",
        "schema-string-pattern-mismatch",
        "identity.contact",
        False,
        "002:171 e-mail replaced by a placeholder",
    ),
]


@pytest.mark.parametrize(
    ("slug", "ours", "seed", "code", "field", "model", "reference"),
    SEED_DEFECTS,
    ids=[d[6][:3] + ":" + d[3] for d in SEED_DEFECTS],
)
def test_validate_catches_the_seed_version(
    card_copy: Callable[[str], Path],
    slug: str,
    ours: str,
    seed: str,
    code: str,
    field: str,
    model: bool,
    reference: str,
) -> None:
    if not (CARDS_DIR / slug / "card.yaml").is_file():
        pytest.skip(f"{slug} card not present")
    path = card_copy(slug)
    assert not [
        f for f in validate_card(path, ValidateOptions(model=model)).findings if f.severity is Severity.ERROR
    ], "our card must be right before the seed's value goes in"
    replace_once(path, ours, seed)
    report = validate_card(path, ValidateOptions(model=model))
    found = [f for f in report.findings if f.code == code]
    assert found, f"{reference}: expected {code}, got {[f.code for f in report.findings]}"
    assert found[0].field == field
    assert found[0].severity is Severity.ERROR


def test_seed_carbon_total_finding_states_both_sums(card_copy: Callable[[str], Path]) -> None:
    path = card_copy("llama-2-13b")
    replace_once(
        path, "        - {label: Llama 2 34B, gpu_hours: 1038336, power_watts: 350, co2_tonnes: 153.90}\n", ""
    )
    found = {
        f.field: f
        for f in validate_card(path, ValidateOptions(model=False)).findings
        if f.code == "training-total-mismatch"
    }
    assert (
        found["training.compute.table.total_gpu_hours"].expected,
        found["training.compute.table.total_gpu_hours"].actual,
    ) == (2_273_280, 3_311_616)
    assert (
        found["training.compute.table.total_co2_tonnes"].expected,
        found["training.compute.table.total_co2_tonnes"].actual,
    ) == (385.08, 539.0)
