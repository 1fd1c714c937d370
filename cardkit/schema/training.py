"""How the model was trained: data, recipe, hardware and what it cost. Units live in field names."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag, field_validator
from pydantic_core import PydanticCustomError

from cardkit.schema.common import LocalizedText, NonEmpty, PositiveInt, RepoId, Strict

NotPublished = Literal["not published"]
"""A training fact the developers have not published, said explicitly instead of a placeholder."""
NOT_PUBLISHED = "not published"
Precision = Literal["float32", "float16", "bfloat16", "mixed-float16", "mixed-bfloat16"]


class TrainingDataset(Strict):
    id: RepoId | None = Field(default=None, description="Hub dataset id, when the data is published there.")
    name: NonEmpty = Field(description="Human name of the dataset.")
    tokens: PositiveInt | None = Field(default=None, description="Tokens drawn from this dataset.")
    examples: PositiveInt | None = Field(default=None, description="Examples (documents, dialogues) used.")
    description: LocalizedText | None = Field(default=None, description="What the dataset contains.")


class Optimizer(Strict):
    name: NonEmpty = Field(description="Optimizer, e.g. `AdamW`.")
    learning_rate: float | None = Field(default=None, gt=0, description="Peak learning rate.")
    betas: tuple[float, float] | None = Field(default=None, description="Adam beta1 and beta2.")
    epsilon: float | None = Field(default=None, gt=0, description="Adam epsilon.")
    weight_decay: float | None = Field(default=None, ge=0, description="Decoupled weight decay.")
    warmup_steps: int | None = Field(default=None, ge=0, description="Linear warm-up, in optimizer steps.")
    batch_size_sequences: PositiveInt | None = Field(default=None, description="Global batch, in sequences.")
    batch_size_tokens: PositiveInt | None = Field(default=None, description="Global batch, in tokens.")
    schedule: str | None = Field(default=None, description="Learning-rate schedule, e.g. `cosine`.")


GpuId = Literal[
    "a100-sxm4-40gb", "a100-sxm4-80gb", "a100-pcie-40gb", "a100-pcie-80gb", "h100-sxm5-80gb", "h100-pcie-80gb"
]
"""Rows of `energy.GPU_TDP` (a test keeps the two equal)."""
RegionId = Literal[
    "aws:us-east-1",
    "aws:us-east-2",
    "aws:us-west-2",
    "aws:eu-central-1",
    "aws:eu-west-1",
    "gcp:us-central1",
    "gcp:europe-west4",
    "azure:eastus",
]
"""Rows of `energy.GRID_INTENSITY` (a test keeps the two equal)."""


class Hardware(Strict):
    type: NonEmpty = Field(description="Accelerator model as published, e.g. `NVIDIA A100 40GB`.")
    count: PositiveInt | None = Field(default=None, description="Accelerators used at once, when published.")
    provider: str | None = Field(default=None, description="Where they ran, e.g. `AWS P4d`.")
    gpu: GpuId | None = Field(
        default=None,
        description="The exact accelerator (form factor included), a row of the TDP table in "
        "cardkit/schema/energy.py; the energy estimate uses its power when none is published.",
    )
    region: RegionId | None = Field(
        default=None,
        description="Cloud region of the training, a row of the grid-intensity table in "
        "cardkit/schema/energy.py, when published; the emissions estimate needs it.",
    )


class ComputeRow(Strict):
    label: NonEmpty = Field(description="What the row accounts for, e.g. `Llama 2 13B`.")
    gpu_hours: float | None = Field(default=None, ge=0, description="Accelerator time, in GPU-hours.")
    power_watts: float | None = Field(default=None, gt=0, description="Peak power per device, in watts.")
    co2_tonnes: float | None = Field(default=None, ge=0, description="Emissions, in tonnes CO2-equivalent.")


class ComputeTable(Strict):
    """A published table of several rows and a total; validate checks the total is the sum."""

    caption: LocalizedText | None = Field(default=None, description="What the table shows, as published.")
    rows: list[ComputeRow] = Field(min_length=1, description="One row per model the table accounts for.")
    total_gpu_hours: float | None = Field(default=None, ge=0, description="Stated total GPU-hours.")
    total_co2_tonnes: float | None = Field(default=None, ge=0, description="Stated total tCO2eq.")
    decimals: int = Field(default=2, ge=0, le=6, description="Decimal places the table's figures carry.")


class Compute(Strict):
    gpu_hours: float | None = Field(default=None, ge=0, description="This model's training, GPU-hours.")
    power_watts: float | None = Field(default=None, gt=0, description="Peak power per device, in watts.")
    energy_kwh: float | None = Field(default=None, ge=0, description="This model's training energy, kWh.")
    co2_tonnes: float | None = Field(default=None, ge=0, description="This model's emissions, tCO2eq.")
    co2_offset_percent: float | None = Field(default=None, ge=0, le=100, description="Share offset, %.")
    table: ComputeTable | None = Field(default=None, description="Family-wide table, as published.")


class Training(Strict):
    stage: Literal["pretraining", "fine-tuning"] = Field(description="What this card's training step was.")
    summary: LocalizedText = Field(description="Short account of the training data and procedure.")
    datasets: Annotated[
        Annotated[list[TrainingDataset], Tag("list[datasets]")]
        | Annotated[NotPublished, Tag("literal[text]")],
        Discriminator(lambda value: "literal[text]" if isinstance(value, str) else "list[datasets]"),
    ] = Field(description="Data this training step used, or `not published`.")
    tokens: PositiveInt | None = Field(default=None, description="Tokens processed in training, all epochs.")
    unique_tokens: PositiveInt | None = Field(default=None, description="Distinct tokens in the dataset.")
    epochs: float | None = Field(default=None, gt=0, description="Passes over the dataset.")
    precision: Precision | NotPublished = Field(
        description="Numeric precision of training, or `not published`."
    )
    optimizer: Optimizer | None = Field(default=None, description="Optimizer and hyperparameters.")
    hardware: Hardware | None = Field(default=None, description="Accelerators the training ran on.")
    start_date: datetime.date | None = Field(default=None, description="When training began.")
    duration_days: float | None = Field(default=None, gt=0, description="Wall-clock training time, days.")
    data_cutoff: datetime.date | None = Field(default=None, description="Newest data in the training set.")
    software: list[NonEmpty] = Field(default_factory=list, description="Training frameworks and kernels.")
    compute: Compute | None = Field(default=None, description="Compute, power and emissions.")

    @property
    def published_datasets(self) -> list[TrainingDataset]:
        """The datasets, or none when they are not published (for code that lists them)."""
        return [] if isinstance(self.datasets, str) else self.datasets

    @field_validator("datasets")
    @classmethod
    def _some_dataset(cls, value: list[TrainingDataset] | str) -> list[TrainingDataset] | str:
        if isinstance(value, list) and not value:
            raise PydanticCustomError(
                "datasets_empty", "list at least one dataset, or write `not published`"
            )
        return value
