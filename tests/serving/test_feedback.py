"""Concept drift (services/serving/feedback.py): the rolling score against hand values, the
feedback checks (each refusal a 4xx naming the label, nothing stored), and the performance
report over a real SQLite log and feedback table (alert row + outbox event, once)."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from ascent.serving.v1 import serving_service_pb2 as pb
from sqlalchemy import func, select

from services.common.db import Database, utcnow
from services.common.errors import AscentError
from services.common.outbox import outbox
from services.serving import feedback
from services.serving.models import Deployment, Feedback, ModelVersion, Prediction
from services.serving.service import key_digest, prediction_ids

KEY = "asc_test-key"
RETENTION = timedelta(days=30)


def body(labels: object) -> bytes:
    return json.dumps({"labels": labels}).encode()


# -- the rolling score ------------------------------------------------------------------------


def test_rolling_accuracy_is_the_share_right_in_each_window() -> None:
    errors = np.array([0, 0, 1, 0, 1, 1, 1, 0, 1, 1], dtype=float)
    points = feedback.rolling_scores(errors, window=4, metric="accuracy")
    # Every window of 4 (10 - 4 + 1 = 7 of them, under the point cap), by hand.
    expected = [(n, 1 - errors[n - 4 : n].mean()) for n in range(4, 11)]
    assert [p[0] for p in points] == [e[0] for e in expected]
    assert all(math.isclose(p[1], e[1]) for p, e in zip(points, expected, strict=True))
    assert points[-1] == (10, 0.25)


def test_rolling_rmse_and_a_window_not_yet_full() -> None:
    squared = np.array([1.0, 4.0, 9.0, 16.0])
    (only,) = feedback.rolling_scores(squared, window=10, metric="rmse")
    assert only[0] == 4 and math.isclose(only[1], math.sqrt(7.5))
    points = feedback.rolling_scores(squared, window=2, metric="rmse")
    assert [(n, round(s, 9)) for n, s in points] == [
        (2, round(math.sqrt(2.5), 9)),
        (3, round(math.sqrt(6.5), 9)),
        (4, round(math.sqrt(12.5), 9)),
    ]
    assert feedback.rolling_scores(np.array([]), window=5, metric="rmse") == []


def test_many_windows_are_thinned_to_the_point_cap_and_end_at_the_newest() -> None:
    errors = np.random.default_rng(1).integers(0, 2, 5_000).astype(float)
    points = feedback.rolling_scores(errors, window=100, metric="accuracy", max_points=50)
    assert len(points) <= 50 and points[-1][0] == 5_000
    assert math.isclose(points[-1][1], 1 - errors[-100:].mean())
    assert all(0.0 <= s <= 1.0 for _, s in points)


# -- the checks -------------------------------------------------------------------------------

GOOD_ID = f"{uuid.uuid4().hex}-0"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json", "not JSON"),
        (b'{"labels": [{"predictionId": "x", "label": NaN}]}', "NaN"),
        (b"[]", "must be an object"),
        (json.dumps({"labels": [], "extra": 1}).encode(), "Unknown field 'extra'"),
        (body([]), "labels is empty"),
        (body(["yes"]), "labels[0] must be an object"),
        (body([{"predictionId": GOOD_ID}]), "labels[0] lacks label"),
        (body([{"predictionId": GOOD_ID, "label": 1, "x": 2}]), "has field 'x'"),
        (body([{"predictionId": "123", "label": "yes"}]), "labels[0].predictionId must be"),
        (body([{"predictionId": 7, "label": "yes"}]), "predictionId must be"),
        (body([{"predictionId": GOOD_ID, "label": True}]), "label must be a class"),
        (body([{"predictionId": GOOD_ID, "label": [1]}]), "label must be a class"),
        (body([{"predictionId": GOOD_ID, "label": 1e39}]), "32-bit float"),
        (
            body([{"predictionId": GOOD_ID, "label": 1}, {"predictionId": GOOD_ID, "label": 0}]),
            "labels[1] repeats the predictionId of labels[0]",
        ),
    ],
)
def test_bad_feedback_is_a_400_naming_the_label(raw: bytes, message: str) -> None:
    with pytest.raises(AscentError) as caught:
        feedback.parse_feedback(raw, 100_000, 1_000)
    assert caught.value.code == "invalid_argument" and message in caught.value.message


def test_too_many_labels_or_too_large_a_body() -> None:
    many = body([{"predictionId": f"{'a' * 32}-{i}", "label": 1} for i in range(11)])
    with pytest.raises(AscentError) as caught:
        feedback.parse_feedback(many, 100_000, 10)
    assert caught.value.code == "too_large" and "At most 10 labels" in caught.value.message
    with pytest.raises(AscentError) as caught:
        feedback.parse_feedback(many, 100, 1_000)
    assert caught.value.code == "too_large"


# -- over the database ------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'serving.db'}")
    database.migrate("serving", "services.serving.migrations")
    yield database
    database.engine.dispose()


def seed(db: Database, classes: list[str], metrics: dict[str, object]) -> None:
    with db.session() as session:
        session.add(
            Deployment(
                id="d1",
                owner_id="u1",
                name="m",
                key_sha256=key_digest(KEY),
                key_prefix=KEY[:10],
                current_version=1,
                created_at=utcnow(),
            )
        )
        session.add(
            ModelVersion(
                deployment_id="d1",
                version=1,
                run_id="r",
                model_type="t",
                input_mode="columns",
                features_json=json.dumps([{"name": "x", "type": "number"}]),
                classes_json=json.dumps(classes),
                metrics_json=json.dumps(metrics),
                onnx=b"",
                onnx_sha256="",
                created_at=utcnow(),
            )
        )


def log_request(db: Database, predictions: list[object], at_seconds: int = 0) -> list[str]:
    request_id = uuid.uuid4().hex
    with db.session() as session:
        session.add(
            Prediction(
                deployment_id="d1",
                version=1,
                created_at=utcnow() + timedelta(seconds=at_seconds),
                status="ok",
                rows=len(predictions),
                features_json="",
                predictions_json=json.dumps(predictions),
                request_id=request_id,
            )
        )
    return prediction_ids(request_id, len(predictions))


def send(db: Database, labels: list[dict[str, object]]) -> pb.SendFeedbackResponse:
    parsed = feedback.parse_feedback(body(labels), 1_000_000, 1_000)
    with db.session() as session:
        return feedback.record_feedback(session, "d1", parsed, 100, 50_000, RETENTION)


def stored(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Feedback)) or 0)


def report(db: Database, **kwargs: float) -> pb.GetPerformanceResponse:
    request = pb.GetPerformanceRequest(owner_id="u1", deployment_id="d1", **kwargs)  # type: ignore[arg-type]
    with db.session() as session:
        return feedback.performance_report(session, request)


def test_the_key_is_checked_like_predict(db: Database) -> None:
    seed(db, ["no", "yes"], {"accuracy": 0.9})
    with db.session() as session:
        assert feedback.authorize(session, "d1", KEY) == "d1"
        for deployment, key in (("d1", "asc_wrong"), ("nope", KEY), ("", KEY)):
            with pytest.raises(AscentError) as caught:
                feedback.authorize(session, deployment, key)
            assert caught.value.code == "unauthenticated"


def test_labels_are_tied_to_their_logged_predictions_all_or_nothing(db: Database) -> None:
    seed(db, ["no", "yes"], {"accuracy": 0.9})
    ids = log_request(db, ["yes", "no", "yes"])
    # Unknown request, a row past the logged ones, a class the model does not have: refused
    # whole, nothing stored.
    unknown = f"{uuid.uuid4().hex}-0"
    past = ids[0].rsplit("-", 1)[0] + "-3"
    for bad, code, text in (
        (unknown, "unprocessable", "is not a logged prediction"),
        (past, "unprocessable", "is not a logged prediction"),
    ):
        with pytest.raises(AscentError) as caught:
            send(
                db, [{"predictionId": ids[0], "label": "yes"}, {"predictionId": bad, "label": "no"}]
            )
        assert caught.value.code == code and "labels[1]" in caught.value.message
        assert text in caught.value.message
    with pytest.raises(AscentError) as caught:
        send(db, [{"predictionId": ids[0], "label": "maybe"}])
    assert caught.value.code == "invalid_argument" and "not one of the classes" in str(caught.value)
    assert stored(db) == 0
    # Right, wrong, right: then a label sent again replaces the first one.
    sent = send(db, [{"predictionId": i, "label": "yes"} for i in ids])
    assert (sent.accepted, sent.updated) == (3, 0)
    again = send(db, [{"predictionId": ids[1], "label": "no"}])
    assert (again.accepted, again.updated) == (0, 1)
    with db.session() as session:
        errors = dict(session.execute(select(Feedback.prediction_id, Feedback.error)).all())
    assert errors == {ids[0]: 0.0, ids[1]: 0.0, ids[2]: 0.0}


def test_feedback_is_bounded_per_deployment(db: Database) -> None:
    seed(db, [], {"rmse": 1.0})
    ids = log_request(db, [1.0] * 20)
    parsed = feedback.parse_feedback(
        body([{"predictionId": i, "label": 2.0} for i in ids]), 1_000_000, 1_000
    )
    with db.session() as session:
        feedback.record_feedback(session, "d1", parsed, 100, 8, RETENTION)
    assert stored(db) == 8


def test_accuracy_falling_beyond_the_threshold_flags_concept_drift_once(db: Database) -> None:
    seed(db, ["no", "yes"], {"accuracy": 0.92, "task_type": "classification"})
    empty = report(db)
    assert empty.metric == "accuracy" and empty.has_training_score and empty.labels == 0
    assert not empty.has_current and not empty.concept_drift and not empty.points
    # 60 predictions right, then 40 wrong, in prediction order (labels sent in any order).
    good = log_request(db, ["yes"] * 60, at_seconds=0)
    bad = log_request(db, ["no"] * 40, at_seconds=10)
    send(db, [{"predictionId": i, "label": "yes"} for i in bad])
    send(db, [{"predictionId": i, "label": "yes"} for i in good])
    steady = report(db, window_labels=50)  # the last 50: 10 right, 40 wrong
    assert steady.labels == 100 and steady.current_labels == 50
    assert math.isclose(steady.current_score, 0.2) and steady.concept_drift
    assert math.isclose(steady.threshold_score, 0.82)
    assert steady.points[0].labels == 50 and math.isclose(steady.points[0].score, 1.0)
    assert steady.points[-1].labels == 100 and steady.detected_at
    # A tolerance the drop does not exceed: not flagged now, but the alert stays on record.
    lenient = report(db, window_labels=50, max_accuracy_drop=0.8)
    assert not lenient.concept_drift and lenient.detected_at == steady.detected_at
    with db.session() as session:
        subjects = list(session.scalars(select(outbox.c.subject)))
    assert subjects.count("serving.concept_drift.detected.v1") == 1
    # A window bigger than the labels so far scores them all but flags nothing.
    partial = report(db, window_labels=500)
    assert partial.current_labels == 100 and math.isclose(partial.current_score, 0.6)
    assert not partial.concept_drift


def test_rmse_against_the_training_rmse(db: Database) -> None:
    seed(db, [], {"rmse": 0.5, "r2": 0.8})
    ids = log_request(db, [1.0] * 20)
    send(
        db,
        [{"predictionId": i, "label": 1.0 + (0.4 if n % 2 else -0.4)} for n, i in enumerate(ids)],
    )
    calm = report(db, window_labels=10)
    assert calm.metric == "rmse" and math.isclose(calm.current_score, 0.4)
    assert math.isclose(calm.threshold_score, 0.75) and not calm.concept_drift
    assert math.isclose(report(db, window_labels=10, max_rmse_increase=0.1).threshold_score, 0.55)
    with pytest.raises(AscentError):
        report(db, window_labels=5)
    with pytest.raises(AscentError):
        report(db, max_rmse_increase=-1)
    with pytest.raises(AscentError) as caught:
        send(db, [{"predictionId": ids[0], "label": "high"}])
    assert "must be a number" in caught.value.message
    # Another learner's deployment does not exist for them.
    with db.session() as session, pytest.raises(AscentError) as caught:
        feedback.performance_report(
            session, pb.GetPerformanceRequest(owner_id="u2", deployment_id="d1")
        )
    assert caught.value.code == "not_found"
