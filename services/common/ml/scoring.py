"""Metric direction, the ranking score of a run and the names learners read.

Metric names are those of the run protocol (`RunOutcome` fields: accuracy, precision,
recall, f1_score, rmse, mae, r2), of the curriculum (accuracy, f1_score, roc_auc, r2, rmse,
mae) and of the grader (accuracy, f1, roc_auc, rmse, mae, r2).

A run is ranked by its accuracy, else its R²: the two metrics the starter template and the
coach's code print for the two task types, both "higher is better" so one ordering serves
the leaderboard, the coach, the recommender, analytics and the auto-improve loop.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final, NamedTuple

from ascent.types.v1 import run_pb2

from services.common.ml.tasks import CLASSIFICATION, REGRESSION

HIGHER: Final = "higher"
LOWER: Final = "lower"

# metric -> which direction is better
METRIC_DIRECTION: Final[Mapping[str, str]] = {
    "accuracy": HIGHER,
    "precision": HIGHER,
    "recall": HIGHER,
    "f1": HIGHER,
    "f1_score": HIGHER,
    "roc_auc": HIGHER,
    "r2": HIGHER,
    "rmse": LOWER,
    "mae": LOWER,
}
LOWER_IS_BETTER: Final = frozenset(m for m, d in METRIC_DIRECTION.items() if d == LOWER)

# metric -> the task type it measures
METRIC_TASK: Final[Mapping[str, str]] = {
    "accuracy": CLASSIFICATION,
    "precision": CLASSIFICATION,
    "recall": CLASSIFICATION,
    "f1": CLASSIFICATION,
    "f1_score": CLASSIFICATION,
    "roc_auc": CLASSIFICATION,
    "r2": REGRESSION,
    "rmse": REGRESSION,
    "mae": REGRESSION,
}

# metric -> what learners read
METRIC_LABELS: Final[Mapping[str, str]] = {
    "accuracy": "accuracy",
    "precision": "precision",
    "recall": "recall",
    "f1": "F1 score",
    "f1_score": "F1 score",
    "roc_auc": "ROC-AUC",
    "r2": "R²",
    "rmse": "RMSE",
    "mae": "MAE",
}

# The ranking metric of each task type, in the order a run's score is looked for.
RANKING_METRIC: Final[Mapping[str, str]] = {CLASSIFICATION: "accuracy", REGRESSION: "r2"}
RANKING_METRICS: Final = tuple(RANKING_METRIC.values())


# metric -> the values it can take (inclusive bounds; None = unbounded on that side). A
# score outside them is a typo or a bug, never a result: it is refused for ranking.
METRIC_RANGE: Final[Mapping[str, tuple[float | None, float | None]]] = {
    "accuracy": (0.0, 1.0),
    "precision": (0.0, 1.0),
    "recall": (0.0, 1.0),
    "f1": (0.0, 1.0),
    "f1_score": (0.0, 1.0),
    "roc_auc": (0.0, 1.0),
    "r2": (None, 1.0),
    "rmse": (0.0, None),
    "mae": (0.0, None),
}
# The metrics a run's outcome carries (RunOutcome fields), in the order they are checked.
OUTCOME_METRICS: Final = ("accuracy", "precision", "recall", "f1_score", "rmse", "mae", "r2")


class Score(NamedTuple):
    metric: str
    value: float


def lower_is_better(metric: str) -> bool:
    """Unknown metrics count as higher-is-better, like every ranking metric."""
    return metric in LOWER_IS_BETTER


def better(metric: str, score: float, other: float) -> bool:
    """True when `score` is strictly better than `other` for this metric."""
    return score < other if lower_is_better(metric) else score > other


def meets(metric: str, score: float, target: float, quality: float = 1.0) -> bool:
    """True when `score` reaches `quality` (e.g. 0.8 = 80 %) of the target quality."""
    # A tolerance so 80 % of 0.9 (0.7200000000000001 in floating point) accepts 0.72.
    if lower_is_better(metric):
        return score <= target / quality + 1e-9
    return score >= target * quality - 1e-9


def relative_gain(metric: str, score: float, baseline: float) -> float:
    """How much better than the baseline, as a fraction of the baseline (0.1 = 10 %)."""
    if baseline == 0:
        return 0.0
    gain = baseline - score if lower_is_better(metric) else score - baseline
    return gain / abs(baseline)


def metric_task(metric: str) -> str:
    """The task type a metric measures (classification when unknown)."""
    return METRIC_TASK.get(metric, CLASSIFICATION)


def ranking_metric(task_type: str) -> str:
    """The metric runs of this task type are ranked by (accuracy when unknown)."""
    return RANKING_METRIC.get(task_type, RANKING_METRIC[CLASSIFICATION])


def metric_problem(metric: str, value: float) -> str | None:
    """Why `value` cannot be a `metric` score ("accuracy 7.5 is above 1 …"), or None."""
    label = metric_label(metric)
    label = label[:1].upper() + label[1:]
    if not math.isfinite(value):
        return f"{label} is {value}, not a number: the run is not ranked."
    low, high = METRIC_RANGE.get(metric, (None, None))
    if low is not None and value < low:
        return f"{label} {value:g} is below {low:g}, which is impossible: the run is not ranked."
    if high is not None and value > high:
        hint = " (print it as a fraction: 0.93, not 93)" if high == 1.0 and low == 0.0 else ""
        return (
            f"{label} {value:g} is above {high:g}, which is impossible{hint}: "
            "the run is not ranked."
        )
    return None


def outcome_problem(outcome: run_pb2.RunOutcome) -> str | None:
    """The first impossible metric of a run (its reason), or None when all are plausible.
    A run with one impossible metric is not ranked at all: its other numbers are suspect."""
    if outcome.unranked_reason:
        return str(outcome.unranked_reason)
    for metric in OUTCOME_METRICS:
        if outcome.HasField(metric):
            problem = metric_problem(metric, float(getattr(outcome, metric)))
            if problem is not None:
                return problem
    return None


def ranking_score(outcome: run_pb2.RunOutcome) -> Score | None:
    """A run's ranking score: its accuracy, else its R², else None; None too when one of
    its metrics is impossible (`outcome_problem`)."""
    if outcome_problem(outcome) is not None:
        return None
    for metric in RANKING_METRICS:
        if outcome.HasField(metric):
            return Score(metric, float(getattr(outcome, metric)))
    return None


def ranking_score_of(metrics: Mapping[str, object]) -> Score | None:
    """The same rule over a JSON view of a run (metric name -> number or None)."""
    for metric, value in metrics.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            if metric_problem(metric, float(value)) is not None:
                return None
    for metric in RANKING_METRICS:
        value = metrics.get(metric)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Score(metric, float(value))
    return None


def metric_label(metric: str) -> str:
    """What learners read for a metric name ("r2" -> "R²"); unknown names as they are."""
    return METRIC_LABELS.get(metric, metric)
