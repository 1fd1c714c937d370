"""Training energy and emissions: the developer's figures where published, estimates where the inputs are.

Each figure is either published (the card's `training.compute`), estimated from published inputs, or
unknown; the README marks every estimate and writes out the arithmetic behind it:

    GPU-hours  = accelerators x training days x 24              (when GPU-hours are not published)
    energy kWh = GPU-hours x power per device (W) / 1000        (power: published, else the TDP table)
    tCO2eq     = energy kWh x grid intensity (gCO2eq/kWh) / 1e6 (intensity: the region table)

The power is the accelerator's maximum TDP (cardkit/schema/energy.py), so the energy counts the
accelerators alone at full load: CPUs, networking and cooling (the data centre's PUE) are not in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from cardkit.schema.energy import GPU_TDP, GRID_INTENSITY, GpuPower, GridIntensity
from cardkit.schema.training import Training

HOURS_PER_DAY = 24


@dataclass(frozen=True)
class Figure:
    value: float | None
    """None when neither published nor computable from published inputs."""
    estimated: bool = False
    """True when cardkit computed it; False when the developer published it (or it is unknown)."""


_UNKNOWN = Figure(None)


@dataclass(frozen=True)
class Impact:
    count: int | None
    days: float | None
    gpu_hours: Figure
    power_watts: Figure
    energy_kwh: Figure
    co2_tonnes: Figure
    gpu: GpuPower | None
    """The TDP row the power came from, when the power is estimated."""
    region: GridIntensity | None
    """The grid row of the training region, when the card names one."""

    @property
    def estimated(self) -> bool:
        return any(f.estimated for f in (self.gpu_hours, self.power_watts, self.energy_kwh, self.co2_tonnes))


def _published(value: float | None) -> Figure | None:
    return Figure(value) if value is not None else None


def impact(training: Training) -> Impact:
    """Every figure of the environmental-impact section of `training`, published or estimated."""
    hw, compute = training.hardware, training.compute
    count = hw.count if hw else None
    days = training.duration_days
    gpu = GPU_TDP[hw.gpu] if hw and hw.gpu else None
    region = GRID_INTENSITY[hw.region] if hw and hw.region else None

    hours = _published(compute.gpu_hours if compute else None)
    if hours is None:
        hours = Figure(count * days * HOURS_PER_DAY, True) if count and days else _UNKNOWN
    power = _published(compute.power_watts if compute else None)
    if power is None:
        power = Figure(gpu.tdp_watts, True) if gpu else _UNKNOWN
    energy = _published(compute.energy_kwh if compute else None)
    if energy is None:
        if hours.value is not None and power.value is not None:
            energy = Figure(hours.value * power.value / 1000, True)
        else:
            energy = _UNKNOWN
    co2 = _published(compute.co2_tonnes if compute else None)
    if co2 is None:
        if energy.value is not None and region is not None:
            co2 = Figure(energy.value * region.g_co2_per_kwh / 1e6, True)
        else:
            co2 = _UNKNOWN
    return Impact(count, days, hours, power, energy, co2, gpu if power.estimated else None, region)
