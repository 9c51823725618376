"""The dashboard's metrics and confusion matrix for the task of the dataset's target (issue
13, items 10 and 11): accuracy on a regression target is called out, no confusion matrix is
drawn for a regression target or for too many classes, R² is never a percentage, scores of
different metrics are never compared, and the matrix is labelled with the class names."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from ascent.coach.v1 import coach_service_pb2 as coach_pb
from ascent.types.v1 import run_pb2
from sklearn.datasets import load_diabetes, load_iris
from sklearn.metrics import classification_report, confusion_matrix

from gateway.datasets import DatasetCardView, summarize
from gateway.notebook.flows import Improvement
from gateway.notebook.presentation import score_delta
from gateway.notebook.views import ImprovementView, RunView
from gateway.rendering import render_html
from services.common.autoimprove import Round
from services.execution.protocol import parse_stdout


def _iris_frame() -> pd.DataFrame:
    data = load_iris(as_frame=True)
    frame = pd.DataFrame(data.data).copy()
    frame["species"] = [data.target_names[i] for i in data.target]
    return frame


def _diabetes_summary() -> DatasetCardView:
    data = load_diabetes(as_frame=True)
    frame = data.data.copy()
    frame["target"] = data.target
    return summarize(frame, "target", "diabetes.csv")


def _dashboard(current: RunView | None, summary: DatasetCardView | None) -> str:
    context: dict[str, Any] = {"current": current, "summary": summary, "session": {"id": "s1"}}
    return render_html("notebook.html", context, ["dashboard"])


def _starter_run(y_true: list[Any], y_pred: list[Any], run_id: str = "r1") -> RunView:
    """A run as the seed's starter prints it (accuracy, matrix, classification report)."""
    matrix = confusion_matrix(y_true, y_pred).tolist()
    accuracy = sum(a == b for a, b in zip(y_true, y_pred, strict=True)) / len(y_true)
    stdout = (
        'DATASET_INFO: {"rows": 150, "columns": 4, "features": ["a"]}\n'
        f"MODEL_TYPE: LogisticRegression\nACCURACY: {accuracy:.4f}\n"
        f"CONFUSION_MATRIX: {json.dumps(matrix)}\n"
        f"CLASSIFICATION_REPORT:\n{classification_report(y_true, y_pred, zero_division=0)}\n"
    )
    run = run_pb2.Run(id=run_id, session_id="s1", name="Run 1", code="x", status="ok")
    run.stdout = stdout
    run.outcome.CopyFrom(parse_stdout(stdout))
    return RunView.of(run)


def _regression_run(r2: float, run_id: str = "r2") -> RunView:
    run = run_pb2.Run(id=run_id, session_id="s1", name="Improved", code="x", status="ok")
    run.outcome.r2, run.outcome.rmse, run.outcome.task_type = r2, 53.1, "regression"
    return RunView.of(run)


def test_the_starter_on_a_regression_target_is_warned_and_draws_no_matrix() -> None:
    # The starter on diabetes: LogisticRegression treats each distinct number as a class.
    values = [float(v) for v in range(77)]
    run = _starter_run(values, values[1:] + values[:1])
    assert len(run.confusionMatrix) == 77
    html = _dashboard(run, _diabetes_summary())
    assert 'id="metric-warning"' in html
    assert "accuracy is the wrong metric" in html and "Regression template" in html
    assert 'data-load-code="#template-regression"' in html
    assert 'class="heatmap"' not in html
    assert 'id="matrix-skipped"' in html and "regression target" in html


def test_a_matrix_with_too_many_classes_is_not_drawn_and_says_why() -> None:
    labels = [f"c{i}" for i in range(30)]
    html = _dashboard(_starter_run(labels, labels), None)
    assert 'class="heatmap"' not in html
    assert "30 classes" in html


def test_a_classification_target_has_no_warning_and_its_matrix() -> None:
    frame = _iris_frame()
    summary = summarize(frame, "species", "iris.csv")
    truth = list(frame["species"])
    html = _dashboard(_starter_run(truth, truth), summary)
    assert 'id="metric-warning"' not in html
    assert 'class="heatmap"' in html


def test_regression_runs_show_r2_never_a_percentage() -> None:
    html = _dashboard(_regression_run(0.44), _diabetes_summary())
    assert 'id="metric-r2">0.440<' in html
    assert "44.0%" not in html
    assert 'id="metric-warning"' not in html


def test_the_starters_report_fills_precision_recall_f1_and_names_the_classes() -> None:
    frame = _iris_frame()
    truth = list(frame["species"])
    html = _dashboard(_starter_run(truth, truth), summarize(frame, "species", "iris.csv"))
    assert "—" not in html.split("Confusion matrix")[0]
    head = html.split('class="heatmap"')[1].split("</thead>")[0]
    assert ">setosa<" in head and ">versicolor<" in head and ">virginica<" in head
    assert ">0<" not in head


def test_the_dataset_names_the_classes_when_the_run_does_not() -> None:
    frame = _iris_frame()
    summary = summarize(frame, "species", "iris.csv")
    run = run_pb2.Run(id="r1", session_id="s1", name="Run", code="x", status="ok")
    run.outcome.accuracy = 1.0
    run.outcome.confusion_matrix_json = "[[10,0,0],[0,10,0],[0,0,10]]"
    html = _dashboard(RunView.of(run), summary)
    head = html.split('class="heatmap"')[1].split("</thead>")[0]
    assert [">setosa<", ">versicolor<", ">virginica<"] == [
        label for label in (">setosa<", ">versicolor<", ">virginica<") if label in head
    ]
    assert head.index("setosa") < head.index("versicolor") < head.index("virginica")


def test_scores_of_different_metrics_are_never_compared() -> None:
    values = [float(v) for v in range(10)]
    accuracy_run = _starter_run(values, values[1:] + values[:1])
    assert accuracy_run.scoreMetric == "accuracy"
    improved = _regression_run(0.44)
    assert score_delta(accuracy_run, improved) is None
    assert score_delta(_regression_run(0.32, "r0"), improved) == "R² +0.120"
    frame = _iris_frame()
    truth = list(frame["species"])
    better = _starter_run(truth, truth, "r3")
    worse = _starter_run(truth, truth[1:] + truth[:1], "r4")
    delta = score_delta(worse, better)
    assert delta is not None and delta.endswith(" pts") and delta.startswith("+")


def _improvement(
    parent: run_pb2.Run, improved: run_pb2.Run, start: run_pb2.Run | None = None
) -> ImprovementView:
    proposal = coach_pb.ImproveResponse(diagnosis="d", proposal_id="p1")
    proposal.improved_experiment.name = "Ridge regression"
    rounds = [Round(proposal, improved, improved.outcome.r2, True)] if start else []
    return Improvement(
        proposal=proposal,
        parent=parent,
        improved=improved,
        rounds=rounds,
        start=start,
        kept_run_id=improved.id,
        stopped="1 round(s) done" if start else "",
    ).view()


def _pb_runs() -> tuple[run_pb2.Run, run_pb2.Run]:
    parent = run_pb2.Run(id="r1", session_id="s1", name="Run 1", code="x", status="ok")
    parent.outcome.accuracy, parent.outcome.task_type = 0.0, "classification"
    improved = run_pb2.Run(
        id="r2", session_id="s1", name="AI", code="y", status="ok", parent_run_id="r1"
    )
    improved.outcome.r2, improved.outcome.task_type = 0.44, "regression"
    return parent, improved


def _coach(view: ImprovementView) -> str:
    context: dict[str, Any] = {
        "improvement": view,
        "session": {"id": "s1"},
        "csrf": "t",
        "stats": None,
        "diff": [],
        "verdict": None,
        "rated": None,
    }
    return render_html("notebook.html", context, ["coach"])


def test_the_coach_never_calls_r2_against_accuracy_points() -> None:
    parent, improved = _pb_runs()
    html = _coach(_improvement(parent, improved))
    assert "pts" not in html and "44.0" not in html
    assert "R² 0.440" in html
    assert 'id="delta-incomparable"' in html


def test_auto_improve_rounds_show_r2_as_r2_and_no_cross_metric_gain() -> None:
    parent, improved = _pb_runs()
    view = _improvement(parent, improved, start=parent)
    assert view.autoImprove is not None
    first = view.autoImprove.rounds[0]
    assert first.metric == "r2" and first.before is None
    html = _coach(view)
    assert "pts" not in html and "44.0%" not in html
    assert "R² 0.440" in html


def test_auto_improve_rounds_show_the_cv_score_and_what_chose() -> None:
    """Issue 20 §1: both numbers per round and which one decided."""
    parent, improved = _pb_runs()
    proposal = coach_pb.ImproveResponse(diagnosis="d", proposal_id="p1")
    rounds = [Round(proposal, improved, 0.44, True, cv_score=0.41, decided_by="cv")]
    view = Improvement(
        proposal=proposal,
        parent=parent,
        improved=improved,
        rounds=rounds,
        start=parent,
        kept_run_id=improved.id,
        stopped="1 round(s) done",
    ).view()
    assert view.autoImprove is not None
    assert (view.autoImprove.rounds[0].cvScore, view.autoImprove.rounds[0].decidedBy) == (
        0.41,
        "cv",
    )
    html = _coach(view)
    assert "<td data-cv>R² 0.410</td>" in html
    assert '<td data-decided="cv">cross-validation</td>' in html
    assert "compared by cross-validation on the training rows only" in html
    rounds[0].decided_by = "test"
    assert "the test rows decided" in _coach(
        Improvement(proposal, parent, improved, rounds, "", parent, improved.id).view()
    )
