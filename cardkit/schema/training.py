"""How the model was trained: data, recipe, hardware and what it cost. Units live in field names."""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import Field

from cardkit.schema.common import LocalizedText, NonEmpty, PositiveInt, RepoId, Strict


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


class Hardware(Strict):
    type: NonEmpty = Field(description="Accelerator model, e.g. `NVIDIA A100 40GB`.")
    count: PositiveInt = Field(description="Accelerators used at once.")
    provider: str | None = Field(default=None, description="Where they ran, e.g. `AWS P4d`.")


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
    co2_tonnes: float | None = Field(default=None, ge=0, description="This model's emissions, tCO2eq.")
    co2_offset_percent: float | None = Field(default=None, ge=0, le=100, description="Share offset, %.")
    table: ComputeTable | None = Field(default=None, description="Family-wide table, as published.")


class Training(Strict):
    stage: Literal["pretraining", "fine-tuning"] = Field(description="What this card's training step was.")
    summary: LocalizedText = Field(description="Short account of the training data and procedure.")
    datasets: list[TrainingDataset] = Field(min_length=1, description="Data this training step used.")
    tokens: PositiveInt | None = Field(default=None, description="Tokens processed in training, all epochs.")
    unique_tokens: PositiveInt | None = Field(default=None, description="Distinct tokens in the dataset.")
    epochs: float | None = Field(default=None, gt=0, description="Passes over the dataset.")
    precision: Literal["float32", "float16", "bfloat16", "mixed-float16", "mixed-bfloat16"] = Field(
        description="Numeric precision of training."
    )
    optimizer: Optimizer | None = Field(default=None, description="Optimizer and hyperparameters.")
    hardware: Hardware | None = Field(default=None, description="Accelerators the training ran on.")
    start_date: datetime.date | None = Field(default=None, description="When training began.")
    duration_days: float | None = Field(default=None, gt=0, description="Wall-clock training time, days.")
    data_cutoff: datetime.date | None = Field(default=None, description="Newest data in the training set.")
    software: list[NonEmpty] = Field(default_factory=list, description="Training frameworks and kernels.")
    compute: Compute | None = Field(default=None, description="Compute, power and emissions.")
