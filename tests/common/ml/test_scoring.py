"""Metric direction, ranking score and labels: one answer for every process."""

from __future__ import annotations

import itertools

import pytest
from ascent.types.v1 import run_pb2

from services.common.curriculum import GRADER_METRIC, METRICS
from services.common.ml.scoring import (
    HIGHER,
    LOWER,
    LOWER_IS_BETTER,
    METRIC_DIRECTION,
    Score,
    better,
    lower_is_better,
    meets,
    metric_label,
    metric_task,
    ranking_metric,
    ranking_score,
    ranking_score_of,
    relative_gain,
)
from services.common.ml.tasks import CLASSIFICATION, REGRESSION
from services.execution.sandbox.grading import METRICS as GRADER_METRICS

# The float metrics of the run protocol (RunOutcome).
PROTOCOL_METRICS = ("accuracy", "precision", "recall", "f1_score", "rmse", "mae", "r2")


def test_every_known_metric_has_a_direction_and_a_task() -> None:
    known = {*GRADER_METRICS, *PROTOCOL_METRICS, *METRICS, *GRADER_METRIC.values()}
    assert known <= set(METRIC_DIRECTION)
    assert all(METRIC_DIRECTION[m] in (HIGHER, LOWER) for m in known)
    assert LOWER_IS_BETTER == {"rmse", "mae"}
    assert {m for m in known if metric_task(m) == REGRESSION} == {"r2", "rmse", "mae"}


@pytest.mark.parametrize(
    ("metric", "score", "other", "expected"),
    [
        ("accuracy", 0.9, 0.8, True),
        ("accuracy", 0.8, 0.9, False),
        ("r2", 0.5, -0.1, True),
        ("rmse", 1.0, 2.0, True),
        ("mae", 2.0, 1.0, False),
        ("rmse", 1.0, 1.0, False),
    ],
)
def test_better_follows_the_direction(
    metric: str, score: float, other: float, expected: bool
) -> None:
    assert better(metric, score, other) is expected


def test_meets_and_relative_gain_in_both_directions() -> None:
    assert lower_is_better("rmse") and not lower_is_better("accuracy")
    assert meets("accuracy", 0.72, 0.9, quality=0.8)
    assert not meets("accuracy", 0.71, 0.9, quality=0.8)
    assert meets("rmse", 1.25, 1.0, quality=0.8)
    assert not meets("rmse", 1.3, 1.0, quality=0.8)
    assert relative_gain("accuracy", 0.88, 0.8) == pytest.approx(0.1)
    assert relative_gain("rmse", 0.9, 1.0) == pytest.approx(0.1)
    assert relative_gain("rmse", 0.9, 0.0) == 0.0


def test_ranking_score_is_accuracy_else_r2_else_none() -> None:
    both = ranking_score(run_pb2.RunOutcome(accuracy=0.9, r2=0.5))
    assert both == Score("accuracy", 0.9)
    assert both is not None and (both.metric, both.value) == ("accuracy", 0.9)
    assert ranking_score(run_pb2.RunOutcome(r2=0.5, rmse=3.0)) == Score("r2", 0.5)
    # A set zero is a score, not a missing one.
    assert ranking_score(run_pb2.RunOutcome(accuracy=0.0)) == Score("accuracy", 0.0)
    assert ranking_score(run_pb2.RunOutcome(rmse=3.0, mae=2.0)) is None
    assert ranking_score(run_pb2.RunOutcome()) is None


def test_ranking_orders_both_task_types_best_first() -> None:
    classification = [run_pb2.RunOutcome(accuracy=a) for a in (0.7, 0.95, 0.8)]
    regression = [run_pb2.RunOutcome(r2=r, rmse=abs(1 - r)) for r in (0.1, -0.3, 0.6)]
    for outcomes, metric, expected in (
        (classification, "accuracy", [0.95, 0.8, 0.7]),
        (regression, "r2", [0.6, 0.1, -0.3]),
    ):
        scores = [s for o in outcomes if (s := ranking_score(o)) is not None]
        assert {s.metric for s in scores} == {metric}
        ranked = sorted(scores, key=lambda s: s.value, reverse=True)
        assert [s.value for s in ranked] == pytest.approx(expected)
        assert all(better(metric, a.value, b.value) for a, b in itertools.pairwise(ranked))
    assert ranking_metric(CLASSIFICATION) == "accuracy"
    assert ranking_metric(REGRESSION) == "r2"
    assert ranking_metric("") == "accuracy"


def test_ranking_score_of_a_json_view_agrees() -> None:
    assert ranking_score_of({"accuracy": 0.9, "r2": 0.5}) == Score("accuracy", 0.9)
    assert ranking_score_of({"accuracy": None, "r2": 0.5}) == Score("r2", 0.5)
    assert ranking_score_of({"accuracy": 0, "r2": None}) == Score("accuracy", 0.0)
    assert ranking_score_of({"rmse": 1.0}) is None
    assert ranking_score_of({"accuracy": True}) is None


def test_metric_labels() -> None:
    assert metric_label("r2") == "R²"
    assert metric_label("f1_score") == metric_label("f1") == "F1 score"
    assert metric_label("roc_auc") == "ROC-AUC"
    assert metric_label("rmse") == "RMSE"
    assert metric_label("accuracy") == "accuracy"
    assert metric_label("log_loss") == "log_loss"
