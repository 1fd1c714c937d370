"""lint-emissions-implausible: a compute row's emissions for its GPU hours and power must be a real
grid's carbon intensity (10 g to 1.5 kg per kWh); tables written for the test."""

from __future__ import annotations

import pytest

from cardkit.lint.engine import lint_text

HEADER = "| Model | GPU hours | Power Consumption (W) | Carbon Emitted (tCO2eq) |\n"
HEADER += "| --- | --- | --- | --- |\n"


def _hits(rows: str) -> list[int | None]:
    text = f"# Acme-7B\n\n## Compute\n\n{HEADER}{rows}"
    return [f.line for f in lint_text(text).findings if f.code == "lint-emissions-implausible"]


def test_a_row_with_emissions_a_hundred_times_too_low_is_reported() -> None:
    """5M GPU hours at 700 W is 3.5 GWh: 9.1 t would be 2.6 g per kWh, below any grid."""
    assert _hits("| Acme-7B | 100,000 | 400 | 17.0 |\n| Acme-70B | 5.0M | 700 | 9.1 |\n") == [8]


@pytest.mark.parametrize(
    "rows",
    [
        "| Acme-7B | 100,000 | 400 | 17.0 |\n",  # 425 g per kWh
        "| Acme-7B | 100,000 | 400 | 17.0 |\n| Total | 100,000 | | 17.0 |\n",  # a total row is not a run
        "| Acme-7B | 100,000 | 400 | 0 |\n",  # offset to zero: not a location-based figure to judge
    ],
)
def test_plausible_rows_pass(rows: str) -> None:
    assert _hits(rows) == []


def test_market_based_columns_are_not_judged() -> None:
    header = "| Model | GPU hours | Power (W) | Market-based emissions (tCO2eq) |\n"
    header += "| --- | --- | --- | --- |\n"
    text = f"# Acme\n\n{header}| Acme | 5.0M | 700 | 1 |\n"
    assert not [f for f in lint_text(text).findings if f.code == "lint-emissions-implausible"]


def _parallelism(text: str) -> list[int | None]:
    return [f.line for f in lint_text(text).findings if f.code == "lint-parallelism-mismatch"]


def test_two_parallelism_dimensions_are_reported_at_the_later_one() -> None:
    text = "# Acme\n\n## Training\n\nWe used 2D parallelism (PP=4, DP=64).\n\n"
    text += "## Software\n\nIt uses 3D parallelism.\n"
    assert _parallelism(text) == [9]


@pytest.mark.parametrize(
    "text",
    [
        "# Acme\n\nWe used 3D parallelism.\n\nThe 3D parallelism splits layers.\n",  # stated one way
        "# Acme\n\nWe used 3D parallelism.\n\n```python\n# 2D parallelism in this example\n```\n",  # code
    ],
)
def test_one_dimension_throughout_passes(text: str) -> None:
    assert _parallelism(text) == []
