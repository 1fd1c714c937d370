"""Evaluation results, one object per Hub `model-index` result, plus stated averages over them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from cardkit.schema.common import LocalizedText, NonEmpty, Strict

ResultId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Weight = Annotated[float, Field(ge=0)]


class EvalTask(Strict):
    type: NonEmpty = Field(default="text-generation", description="Hub task type.")
    name: str | None = Field(default=None, description="Human task name.")


class EvalDataset(Strict):
    name: NonEmpty = Field(description="Human dataset name, e.g. `HellaSwag (10-Shot)`.")
    type: NonEmpty = Field(description="Hub dataset id or type, e.g. `hellaswag`.")
    config: str | None = Field(
        default=None, description="Dataset configuration (subset), e.g. `ARC-Challenge`."
    )
    split: str | None = Field(default=None, description="Split evaluated, e.g. `test`.")
    revision: str | None = Field(default=None, description="Dataset revision (commit) evaluated.")


Scale = Literal["percent", "fraction", "raw"]
"""`percent` 0-100, `fraction` 0-1 (what lm-evaluation-harness reports), `raw` the metric's own unit
(perplexity, bits per byte): averaging figures of different scales means nothing, so validate refuses it."""


class EvalMetric(Strict):
    type: NonEmpty = Field(
        description="Metric id, e.g. `acc_norm`; a harness filter other than `none` is kept after a comma."
    )
    value: float = Field(description="The score, in the unit `scale` names.")
    name: str | None = Field(default=None, description="Human metric name, e.g. `normalized accuracy`.")
    scale: Scale = Field(
        default="percent",
        description="`percent` (0-100), `fraction` (0-1) or `raw` (the metric's own unit, e.g. perplexity).",
    )
    higher_is_better: bool = Field(
        default=True, description="False for error rates, toxicity or perplexity; render says so."
    )
    stderr: float | None = Field(default=None, ge=0, description="Standard error of `value`, same scale.")


class EvalSource(Strict):
    name: NonEmpty = Field(description="Who reported the result, e.g. `lm-evaluation-harness 0.4.13`.")
    url: str | None = Field(
        default=None, pattern=r"^https://", description="Where the result can be checked."
    )
    model_args: str | None = Field(
        default=None, description="The harness's model arguments of the run, e.g. `pretrained=org/model`."
    )


class EvalResult(Strict):
    id: ResultId = Field(description="Short id used by `summaries` to refer to this result.")
    task: EvalTask = Field(default_factory=EvalTask)
    dataset: EvalDataset
    few_shot: int | None = Field(default=None, ge=0, description="Shots; becomes `args.num_few_shot`.")
    metric: EvalMetric
    harness_task: str | None = Field(
        default=None, description="lm-evaluation-harness task the result came from, e.g. `arc_easy`."
    )
    source: EvalSource | None = Field(default=None, description="Where the result was published.")


class EvalSummary(Strict):
    """A figure derived from results, such as a leaderboard average; validate recomputes it."""

    name: NonEmpty = Field(description="What the figure is called where it was published, e.g. `Avg.`.")
    of: list[ResultId] = Field(min_length=1, description="Ids of the results it averages.")
    value: float = Field(description="The figure as published.")
    decimals: int = Field(default=2, ge=0, le=6, description="Decimal places the published value carries.")
    weights: list[Weight] | None = Field(
        default=None,
        description="Weight of each result in `of` (the harness weights groups by sample count); "
        "omitted for a plain mean.",
    )


class Evaluation(Strict):
    results: list[EvalResult] = Field(min_length=1, description="One entry per Hub model-index result.")
    summaries: list[EvalSummary] = Field(default_factory=list, description="Averages stated over results.")
    note: LocalizedText | None = Field(default=None, description="How the results were obtained.")
