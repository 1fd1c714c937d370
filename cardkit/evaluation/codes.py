"""Finding codes of evaluation results: the card's rules, `cardkit eval import` and `eval diff`.

Declared once in `cardkit.core.codes`' registry; `cardkit explain CODE` prints the explanation.
"""

from __future__ import annotations

from cardkit.core.codes import ERROR, INFO, WARNING, declare

EVAL_VALUE_OUT_OF_SCALE = declare(
    "eval-value-out-of-scale",
    ERROR,
    "a `fraction` above 1 or a `percent` above 100 (or below 0)",
    """
    Every result states its `metric.scale`; a value outside it is a figure copied in the other unit
    (0.45 written as 45, or the reverse). Set `metric.scale` to the unit the value is in, or
    convert the value.
    """,
)
EVAL_SUMMARY_MIXED_SCALES = declare(
    "eval-summary-mixed-scales",
    ERROR,
    "a summary averages results on different scales (percent with fraction)",
    """
    An average over results of different `metric.scale` mixes units: 45 (percent) and 0.5
    (fraction) average to nonsense. Put the results on one scale, or summarise them separately.
    """,
)
EVAL_SUMMARY_MIXED_DIRECTION = declare(
    "eval-summary-mixed-direction",
    ERROR,
    "a summary averages scores with error rates (higher and lower is better)",
    """
    Averaging a score where higher is better with one where lower is better (perplexity, an error
    rate) gives a figure that means nothing. Summarise results of one direction only.
    """,
)
EVAL_DUPLICATE_ID = declare(
    "eval-duplicate-id",
    ERROR,
    "two evaluation results share an id",
    """
    Summaries refer to results by `id`, so each must be unique in the card. Rename one (`cardkit
    eval import` appends `-2`, `-3` to ids already taken).
    """,
)
EVAL_UNKNOWN_RESULT = declare(
    "eval-unknown-result",
    ERROR,
    "a summary refers to result ids the card does not have",
    """
    A summary's `of` lists result ids; one that names no result cannot be averaged, so the stated
    value cannot be checked. Fix the id or add the result.
    """,
)
EVAL_SUMMARY_WEIGHTS = declare(
    "eval-summary-weights",
    ERROR,
    "a summary's weights do not match its results (one positive weight each)",
    """
    A weighted summary (MMLU weighted by the size of each task) needs exactly one positive weight
    per result in `of`, in the same order. Give one weight per result, or none for a plain mean.
    """,
)
EVAL_AVERAGE_MISMATCH = declare(
    "eval-average-mismatch",
    ERROR,
    "a stated average is not the (weighted) mean of its results",
    """
    A summary's `value` must be the mean of the results it lists (weighted when it has weights),
    rounded to its `decimals`. An average that does not add up is a copied or stale figure, or
    averages other results than it says. `expected` is the mean of the listed results.
    """,
)
EVAL_IMPORT_CONFLICT = declare(
    "eval-import-conflict",
    ERROR,
    "`cardkit eval import`: the card or an `.eval_results` file states this result otherwise",
    """
    The result being imported is already stated, in the card or in an `.eval_results/` file, with
    another value or few-shot count. Nothing is written while conflicts remain; check which figure
    is right, and pass `--force` to replace just those items with the results file's.
    """,
)
EVAL_RESULTS_JSON = declare(
    "eval-results-json",
    ERROR,
    "the results file is not JSON (or cannot be read)",
    """
    `cardkit eval import` reads the `results_<date>.json` lm-evaluation-harness writes; this file
    is not readable JSON (the message gives the position). Pass the harness's results file.
    """,
)
EVAL_RESULTS_SHAPE = declare(
    "eval-results-shape",
    ERROR,
    "the results file is not lm-evaluation-harness output (no `results` mapping)",
    """
    The file is JSON but has no top-level `results` mapping of task scores, so it is not what
    lm-evaluation-harness writes. Pass the harness's `results_<date>.json`.
    """,
)
EVAL_RESULTS_EMPTY = declare(
    "eval-results-empty",
    ERROR,
    "the results file has no task scores",
    """
    The harness output holds no task with a numeric metric, so there is nothing to import. Check
    that the run finished and that the right file is named.
    """,
)
EVAL_RESULTS_NOT_A_NUMBER = declare(
    "eval-results-not-a-number",
    WARNING,
    "a score in the results file is not a number; it is skipped",
    """
    A task metric in the harness output is not a number (a string, `null`), so it cannot become a
    result; the other scores are imported. Nothing to fix unless the score was expected.
    """,
)
EVAL_GROUP_EMPTY = declare(
    "eval-group-empty",
    WARNING,
    "a group none of whose tasks report the metric; skipped",
    """
    A group (MMLU, a category of it) has a figure for a metric none of its leaf tasks report, so no
    summary can be built over them; the group is skipped and its tasks are still imported.
    """,
)
EVAL_GROUP_UNEXPLAINED = declare(
    "eval-group-unexplained",
    WARNING,
    "a group figure that is neither the mean nor the size-weighted mean of its tasks",
    """
    The harness reports a group figure cardkit cannot reproduce from its tasks, neither as their
    mean nor weighted by their sample counts, so validate would report the summary as not adding
    up (`eval-average-mismatch`). Check the harness's aggregation for that group.
    """,
)
EVAL_HUB_FILE_SHAPE = declare(
    "eval-hub-file-shape",
    ERROR,
    "an `.eval_results` file that is not a list of entries",
    """
    Files in `.eval_results/` must be a YAML list of huggingface_hub `EvalResultEntry` items (a
    text `dataset.id` and `task_id`, a finite value). This one is not, so its scores are not
    compared. Rewrite it with `cardkit eval import --eval-results DIR --force`.
    """,
)
EVAL_HUB_TOO_MANY_FILES = declare(
    "eval-hub-too-many-files",
    ERROR,
    "an `.eval_results` folder with more files than cardkit reads",
    """
    One file per benchmark dataset makes a few dozen files at most; cardkit reads the first
    `MAX_FILES` (1000, by name) and reports the rest unread rather than spend minutes on a folder
    that was not written as `.eval_results`. Remove the files that are not benchmark results.
    """,
)
EVAL_HUB_NOT_A_DATASET = declare(
    "eval-hub-not-a-dataset",
    INFO,
    "`cardkit eval import --eval-results`: a result names no Hub dataset, so no `.eval_results` entry",
    """
    An `.eval_results` entry names a Hub benchmark dataset repo (`owner/name`, such as `cais/mmlu`;
    a few legacy ids such as `ai2_arc` are mapped to their repos). This result's `dataset.type` is
    none (a local harness task, a paper's grouped average), so it stays in the card and the
    README's model-index but gets no Hub file. Set `dataset.type` to the Hub repo the task reads,
    if it reads one.
    """,
)
EVAL_README_NO_FRONT_MATTER = declare(
    "eval-readme-no-front-matter",
    ERROR,
    "`cardkit eval diff`: the README has no front matter (no model-index)",
    """
    The README's scores are read from the `model-index` of its YAML front matter; a README
    without a `---` block on its first line has none to compare. Render it with `cardkit render`.
    """,
)
EVAL_DIFF_VALUE = declare(
    "eval-diff-value",
    ERROR,
    "`cardkit eval diff`: the sources disagree on a score",
    """
    The card, the README's model-index, the `.eval_results/` files and the results file are lined
    up by dataset, config and metric; this source gives another value than the others (reported at
    the odd one out, with every source's value). Fix the wrong copy, usually by rendering again.
    """,
)
EVAL_DIFF_FEW_SHOT = declare(
    "eval-diff-few-shot",
    ERROR,
    "`cardkit eval diff`: the sources disagree on a score's few-shot count",
    """
    The same score is stated at different few-shot settings, so at least one source describes
    another run. Fix the wrong shot count.
    """,
)
EVAL_DIFF_MISSING = declare(
    "eval-diff-missing",
    ERROR,
    "`cardkit eval diff`: a source lacks a score the others state",
    """
    A score present in some sources is missing from another (a results file covers only its own
    run, so what it lacks is not reported). Add the score, or render the README again.
    """,
)
