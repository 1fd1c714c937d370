"""Reference figures for the environmental estimate: accelerator power and grid carbon intensity.

Two small tables, every row with its source, so that an estimate in a README can be traced to where
its inputs came from. A card names a row by id (`training.hardware.gpu`, `training.hardware.region`);
a figure the developer published (GPU-hours, power, energy, emissions) always wins over a table.
The ids are spelled out as Literals in training.py (so the JSON Schema lists them); a test keeps the
Literals and these tables equal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GpuPower:
    name: str
    """The accelerator as its maker names it, form factor included (SXM and PCIe differ in power)."""
    tdp_watts: float
    """Maximum thermal design power of one device: what the board may draw at full load."""
    source: str


@dataclass(frozen=True)
class GridIntensity:
    name: str
    """The cloud region as its provider names it."""
    g_co2_per_kwh: float
    """Grams of CO2-equivalent emitted per kWh drawn from the region's grid."""
    source: str


_A100 = "https://www.nvidia.com/en-us/data-center/a100/"
_H100 = "https://www.nvidia.com/en-us/data-center/h100/"

GPU_TDP: dict[str, GpuPower] = {
    "a100-sxm4-40gb": GpuPower("NVIDIA A100 SXM4 40GB", 400, _A100),
    "a100-sxm4-80gb": GpuPower("NVIDIA A100 SXM4 80GB", 400, _A100),
    "a100-pcie-40gb": GpuPower("NVIDIA A100 PCIe 40GB", 250, _A100),
    "a100-pcie-80gb": GpuPower("NVIDIA A100 PCIe 80GB", 300, _A100),
    "h100-sxm5-80gb": GpuPower("NVIDIA H100 SXM5 80GB", 700, _H100),
    "h100-pcie-80gb": GpuPower("NVIDIA H100 PCIe 80GB", 350, _H100),
}
"""Maximum TDP by accelerator, from NVIDIA's product specifications (AWS P4d instances carry A100
SXM4 40GB, P4de A100 SXM4 80GB, P5 H100 SXM5 80GB)."""

_MLCO2 = "https://github.com/mlco2/impact"
"""The ML CO2 Impact calculator (Lacoste et al., 2019, arXiv:1910.09700), its data/impact.csv."""

GRID_INTENSITY: dict[str, GridIntensity] = {
    "aws:us-east-1": GridIntensity("AWS US East (N. Virginia)", 367.8, _MLCO2),
    "aws:us-east-2": GridIntensity("AWS US East (Ohio)", 568.2, _MLCO2),
    "aws:us-west-2": GridIntensity("AWS US West (Oregon)", 297.6, _MLCO2),
    "aws:eu-central-1": GridIntensity("AWS EU (Frankfurt)", 615, _MLCO2),
    "aws:eu-west-1": GridIntensity("AWS EU (Ireland)", 617, _MLCO2),
    "gcp:us-central1": GridIntensity("Google Cloud us-central1 (Iowa)", 566.3, _MLCO2),
    "gcp:europe-west4": GridIntensity("Google Cloud europe-west4 (Netherlands)", 569, _MLCO2),
    "azure:eastus": GridIntensity("Azure East US (Virginia)", 367.8, _MLCO2),
}
"""Grid carbon intensity by cloud region, as the ML CO2 Impact calculator tabulates it (US regions
from EPA eGRID; the others from the national sources the table cites)."""
