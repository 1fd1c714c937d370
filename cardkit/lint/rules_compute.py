"""Rules about how a card describes its training compute: a compute table's rows read as physics
(GPU hours at a power give energy; emissions over that energy is a grid's carbon intensity, which
has known bounds), and the parallelism it names stated one way throughout.

Both were defects a careful reader found in published cards that lint passed (bench/bench_wild.py):
a one-row table giving 12.9 tCO2eq for 7.0M GPU hours at 700 W (2.6 g per kWh, when the same hours of
a sibling model were 2,040 t), and a card whose training section says 2D parallelism and whose
software section says 3D.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cardkit.core.findings import Severity
from cardkit.lint.registry import Hit, lint_rule
from cardkit.readme.document import Document

HOURS = re.compile(r"GPU[- ]?hours", re.I)
WATTS = re.compile(r"power.*\((?:W|watts)\)", re.I)
TONNES = re.compile(r"(?:\btCO|metric tons? CO|tons? CO|tonnes? CO)", re.I)
MARKET = re.compile(r"market", re.I)
MIN_INTENSITY, MAX_INTENSITY = 0.01, 1.5
"""kg CO2eq per kWh: no location-based grid is below 10 g (hydro and nuclear grids are 20-60 g) or
above 1.5 kg (coal is about 1 kg); a figure outside is a unit or a copying slip."""


def _column(header: list[str], pattern: re.Pattern[str]) -> int | None:
    found = [i for i, h in enumerate(header) if i and pattern.search(h) and not MARKET.search(h)]
    return found[0] if len(found) == 1 else None


@lint_rule(
    "lint-emissions-implausible",
    Severity.WARNING,
    "a compute table row's emissions, for its GPU hours and power, imply an impossible grid intensity",
)
def emissions_implausible(doc: Document) -> Iterator[Hit]:
    """A compute table row (GPU hours, power per device in W, location-based tCO2eq) whose emissions
    divided by its energy (hours x watts) fall outside any real grid's carbon intensity, 0.01-1.5 kg
    per kWh: one of the three figures was mistyped or copied from another row or model. Check the
    figures against the source and fix the one that is wrong."""
    from cardkit.lint.rules_prose import scaled_number  # lazy: the registry (and README) order stays

    for table in doc.tables:
        hours, watts, tonnes = (_column(table.header, p) for p in (HOURS, WATTS, TONNES))
        if hours is None or watts is None or tonnes is None:
            continue
        for line, row in table.rows:
            if re.match(r"^\**\s*(total|sum|总计|合计)\b", row[0], re.I) or max(hours, watts, tonnes) >= len(
                row
            ):
                continue
            figures = [scaled_number(row[i]) for i in (hours, watts, tonnes)]
            if None in figures or not all(figures):
                continue
            gpu_hours, power, co2 = (f for f in figures if f is not None)
            intensity = co2 * 1000 / (gpu_hours * power / 1000)
            if not MIN_INTENSITY <= intensity <= MAX_INTENSITY:
                yield Hit(
                    line,
                    f"{row[tonnes].strip()} tCO2eq for {row[hours].strip()} GPU hours at "
                    f"{row[watts].strip()} W is {intensity * 1000:,.3g} g CO2eq per kWh; "
                    "real grids emit 10-1,500 g",
                    expected=f"{MIN_INTENSITY}-{MAX_INTENSITY} kg/kWh",
                    actual=round(intensity, 6),
                )


PARALLELISM = re.compile(r"(?<![\w.])([2-5])[- ]?D[- ]parallel(?:ism|ization)?\b", re.I)


@lint_rule(
    "lint-parallelism-mismatch",
    Severity.WARNING,
    "the card names its training parallelism with two different dimensions (2D in one place, 3D in another)",
)
def parallelism_mismatch(doc: Document) -> Iterator[Hit]:
    """The card describes its training parallelism as `2D` in one sentence and `3D` in another: one of
    them is wrong (a data/pipeline split quoted beside a data/pipeline/tensor one). Reported at each
    later mention that differs from the first. Check the training setup and state one."""
    from cardkit.lint.rules_text import _prose  # lazy: the registry (and README) order stays

    first: tuple[int, str] | None = None
    for number, column, text in _prose(doc):
        for match in PARALLELISM.finditer(text):
            if first is None:
                first = (number, match.group(1))
            elif match.group(1) != first[1]:
                yield Hit(
                    number,
                    f"{match.group(1)}D parallelism here, {first[1]}D parallelism at line {first[0]}",
                    column + match.start(),
                    expected=f"{first[1]}D",
                    actual=f"{match.group(1)}D",
                )
