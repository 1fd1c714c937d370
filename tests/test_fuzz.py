"""Fuzz every input surface: no mutated card, config, README, checkpoint, tokenizer file, cache
entry or command-line path makes cardkit raise anything but its typed errors, or block.

The strategies and targets live in tests/fuzz_targets.py, shared with bench/fuzz.py (10,000
examples per surface); here each surface gets 200 derandomised examples with no example database,
so CI sees the same inputs on every run. Inputs are capped at 64 KiB to keep the suite fast.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz_targets import SURFACES

MAX_SIZE = 64 * 1024
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
@pytest.mark.parametrize("name", list(SURFACES))
def test_surface_never_crashes(name: str) -> None:
    surface = SURFACES[name]

    @settings(SETTINGS)
    @given(surface.strategy(MAX_SIZE))
    def run(example: Any) -> None:
        surface.target(example)

    run()
