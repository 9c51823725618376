"""Concept drift (issue 16, monitor): true labels sent back for logged predictions, and the
rolling score of a version on them against the run's own training score.

How a label finds its prediction: predict answers one `predictionId` per row the log keeps,
`<request id>-<row>` (the request id is a random 32-hex on the log entry, indexed). Feedback
names those ids; serving reads the logged request, takes the row's prediction and stores
the label with the prediction it scores (`error`: 0/1 for a classifier, the squared error
for a regressor). Reports then read floats only, never the log's JSON.

A request is checked whole before anything is stored (a refusal stores nothing): a JSON
object `{"labels": [{"predictionId", "label"}]}`, 1–`max_labels` labels, each id well
formed, once per request, and logged for this deployment (422 otherwise, naming the label);
a classifier's label one of its classes, a regressor's a finite number. A label sent again
for the same prediction replaces the first one (a retried request changes nothing).

The report (`performance_report`): the newest labelled predictions of the current version
in prediction order; every rolling window of `window` labels scored (accuracy = 1 − mean
error, RMSE = √mean squared error; at most `MAX_POINTS` windows drawn); the newest window
is the current score. Concept drift when that window is full and its accuracy is below the
training accuracy − `max_accuracy_drop`, or its RMSE above the training RMSE ×
(1 + `max_rmse_increase`); the first time, a `ConceptAlert` row and one
`serving.concept_drift.detected.v1` event in the same transaction (outbox).
"""

from __future__ import annotations

import hmac
import json
import math
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from ascent.events.v1 import serving_pb2 as events_pb
from ascent.serving.v1 import serving_service_pb2 as pb
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from services.common import events
from services.common.db import utcnow
from services.common.errors import AscentError
from services.common.outbox import enqueue
from services.serving.models import ConceptAlert, Feedback, ModelVersion
from services.serving.monitor import _iso
from services.serving.repository import ServingRepository
from services.serving.service import PRODUCER, WRONG_KEY, _owned, key_digest
from services.serving.validation import FLOAT32_MAX, parse_json

PREDICTION_ID = re.compile(r"([0-9a-f]{32})-(\d{1,6})")
MAX_ID = 48
WINDOW_DEFAULT = 100
WINDOW_MIN, WINDOW_MAX = 10, 10_000
ACCURACY_DROP_DEFAULT = 0.1
RMSE_INCREASE_DEFAULT = 0.5
# Labels read for one report: enough for 50 windows, bounded whatever the window.
HISTORY_WINDOWS = 50
HISTORY_MAX = 50_000
MAX_POINTS = 100
BODY_SHAPE = '{"labels": [{"predictionId": "...", "label": ...}, ...]}'


@dataclass(frozen=True)
class Label:
    index: int  # its place in the request, for messages
    prediction_id: str
    request_id: str
    row: int
    value: str | int | float


def _bad(message: str) -> AscentError:
    return AscentError("invalid_argument", message)


def parse_feedback(body: bytes, max_bytes: int, max_labels: int) -> list[Label]:
    """The labels of a feedback body, checked for shape and type (not yet against the log)."""
    data = parse_json(body, max_bytes)
    if not isinstance(data, dict) or not isinstance(data.get("labels"), list):
        raise _bad(f"The body must be an object {BODY_SHAPE}.")
    extra = sorted(str(k) for k in data if k != "labels")
    if extra:
        raise _bad(f"Unknown field {extra[0][:100]!r}; the body has only labels.")
    entries: list[Any] = data["labels"]
    if not entries:
        raise _bad("labels is empty: send at least one label.")
    if len(entries) > max_labels:
        raise AscentError("too_large", f"At most {max_labels:,} labels per request.")
    labels: list[Label] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        where = f"labels[{index}]"
        if not isinstance(entry, dict):
            raise _bad(f'{where} must be an object {{"predictionId": "...", "label": ...}}.')
        unknown = sorted(str(k) for k in entry if k not in ("predictionId", "label"))
        if unknown:
            raise _bad(f"{where} has field {unknown[0][:100]!r}; only predictionId and label.")
        if "predictionId" not in entry or "label" not in entry:
            missing = "predictionId" if "predictionId" not in entry else "label"
            raise _bad(f"{where} lacks {missing}.")
        prediction_id = entry["predictionId"]
        found = (
            PREDICTION_ID.fullmatch(prediction_id)
            if isinstance(prediction_id, str) and len(prediction_id) <= MAX_ID
            else None
        )
        if found is None:
            raise _bad(
                f"{where}.predictionId must be one of the predictionIds a prediction answered "
                "(32 hex digits, '-', the row)."
            )
        if prediction_id in seen:
            raise _bad(f"{where} repeats the predictionId of labels[{seen[prediction_id]}].")
        seen[prediction_id] = index
        value = entry["label"]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _bad(f"{where}.label must be a class (a string or an integer) or a number.")
        if isinstance(value, str) and len(value) > 1_000:
            raise _bad(f"{where}.label is over 1,000 characters.")
        if isinstance(value, float) and not abs(value) <= FLOAT32_MAX:
            raise _bad(f"{where}.label is out of range for a 32-bit float.")
        if isinstance(value, int) and abs(value) > 2**63:
            raise _bad(f"{where}.label is out of the 64-bit integer range.")
        labels.append(Label(index, prediction_id, found[1], int(found[2]), value))
    return labels


class Unlogged(AscentError):
    """A label names no prediction in this deployment's log (yet: the log is written in
    batches, so the servicer flushes it and tries once more before refusing)."""

    def __init__(self, label: Label, log_rows: int) -> None:
        super().__init__(
            "unprocessable",
            f"labels[{label.index}].predictionId {label.prediction_id!r} is not a logged "
            "prediction of this model: unknown, from a refused request, past the first "
            f"{log_rows} rows of its request, or older than the log keeps. Nothing was stored.",
        )


def authorize(session: Session, deployment_id: str, api_key: str) -> str:
    """The deployment's id when `api_key` is its key; the same 401 as predict otherwise."""
    deployment = ServingRepository(session).deployment(deployment_id) if deployment_id else None
    if deployment is None or not hmac.compare_digest(key_digest(api_key), deployment.key_sha256):
        raise AscentError("unauthenticated", WRONG_KEY)
    return deployment.id


def _error(version: ModelVersion, classes: list[str], label: Label, predicted: Any) -> float:
    if classes:
        if str(label.value) not in classes:
            shown = ", ".join(classes[:10]) + (", …" if len(classes) > 10 else "")
            raise _bad(
                f"labels[{label.index}].label {str(label.value)[:100]!r} is not one of the "
                f"classes of v{version.version}: {shown}."
            )
        return 0.0 if str(label.value) == str(predicted) else 1.0
    if isinstance(label.value, str):
        raise _bad(f"labels[{label.index}].label must be a number (the model is a regressor).")
    try:
        return (float(label.value) - float(predicted)) ** 2
    except (TypeError, ValueError):  # a logged prediction that is not a number
        raise _bad(f"labels[{label.index}] names a prediction that is not a number.") from None


def record_feedback(
    session: Session,
    deployment_id: str,
    labels: list[Label],
    log_rows: int,
    max_per_deployment: int,
    retention: timedelta,
) -> pb.SendFeedbackResponse:
    """Stores the labels with the predictions they score; all or nothing."""
    repo = ServingRepository(session)
    logged = repo.predictions_by_request(deployment_id, sorted({lb.request_id for lb in labels}))
    versions = {v.version: v for v in repo.versions(deployment_id)}
    classes = {n: [str(c) for c in json.loads(v.classes_json or "[]")] for n, v in versions.items()}
    existing = repo.feedback_for(deployment_id, [lb.prediction_id for lb in labels])
    decoded: dict[str, list[Any]] = {}
    now = utcnow()
    fresh: list[Feedback] = []
    updated = 0
    for label in labels:
        entry = logged.get(label.request_id)
        if entry is None or entry.version not in versions:
            raise Unlogged(label, log_rows)
        if label.request_id not in decoded:
            try:
                decoded[label.request_id] = list(json.loads(entry.predictions_json or "[]"))
            except ValueError:
                decoded[label.request_id] = []
        predictions = decoded[label.request_id]
        if label.row >= len(predictions):
            raise Unlogged(label, log_rows)
        predicted = predictions[label.row]
        version = versions[entry.version]
        error = _error(version, classes[entry.version], label, predicted)
        row = existing.get(label.prediction_id)
        if row is not None:
            row.label, row.error, row.created_at = json.dumps(label.value), error, now
            updated += 1
            continue
        fresh.append(
            Feedback(
                deployment_id=deployment_id,
                version=entry.version,
                prediction_id=label.prediction_id,
                predicted=json.dumps(predicted),
                label=json.dumps(label.value),
                error=error,
                predicted_at=entry.created_at,
                created_at=now,
            )
        )
    repo.add_feedback(fresh)
    session.flush()
    repo.prune_feedback_beyond(deployment_id, max_per_deployment)
    repo.prune_feedback_older_than(now - retention)
    return pb.SendFeedbackResponse(accepted=len(fresh), updated=updated)


# -- the report ------------------------------------------------------------------------------


def score_of(mean_error: NDArray[np.float64] | float, metric: str) -> NDArray[np.float64]:
    """Accuracy from the mean 0/1 error, RMSE from the mean squared error."""
    m = np.asarray(mean_error, dtype=float)
    result: NDArray[np.float64] = 1.0 - m if metric == "accuracy" else np.sqrt(m)
    return result


def rolling_scores(
    errors: NDArray[np.float64], window: int, metric: str, max_points: int = MAX_POINTS
) -> list[tuple[int, float]]:
    """(n, score of the window of labels n−window+1 … n) for windows ending at evenly spaced
    n, the last one always the newest label; while there are fewer labels than a window, one
    point over all of them. O(n) with a cumulative sum."""
    n = len(errors)
    if n == 0:
        return []
    if n <= window:
        return [(n, float(score_of(float(np.mean(errors)), metric)))]
    sums = np.concatenate([[0.0], np.cumsum(errors, dtype=float)])
    step = max(1, math.ceil((n - window) / (max_points - 1)))
    ends = np.arange(n, window - 1, -step)[::-1]
    means = (sums[ends] - sums[ends - window]) / window
    # A mean of 0/1 errors is exact only up to the cumulative sum's rounding: clip it.
    means = np.clip(means, 0.0, None)
    return [(int(e), float(s)) for e, s in zip(ends, score_of(means, metric), strict=True)]


def training_score(version: ModelVersion, metric: str) -> float | None:
    value = json.loads(version.metrics_json or "{}").get(metric)
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def drifted(metric: str, current: float, threshold: float) -> bool:
    return current < threshold if metric == "accuracy" else current > threshold


def _pick(value: float, default: float, upper: float, name: str) -> float:
    if value == 0:
        return default
    if not 0 < value <= upper:
        raise AscentError("invalid_argument", f"{name} must be in (0, {upper}].")
    return value


def performance_report(
    session: Session, request: pb.GetPerformanceRequest
) -> pb.GetPerformanceResponse:
    repo = ServingRepository(session)
    deployment = _owned(repo, request.owner_id, request.deployment_id)
    version = repo.version(deployment.id, deployment.current_version)
    if version is None:
        raise AscentError("not_found", "Version not found.")
    window = request.window_labels or WINDOW_DEFAULT
    if not WINDOW_MIN <= window <= WINDOW_MAX:
        raise AscentError(
            "invalid_argument", f"The window is {WINDOW_MIN} to {WINDOW_MAX:,} labels."
        )
    drop = _pick(request.max_accuracy_drop, ACCURACY_DROP_DEFAULT, 1.0, "max_accuracy_drop")
    rise = _pick(request.max_rmse_increase, RMSE_INCREASE_DEFAULT, 100.0, "max_rmse_increase")
    metric = "accuracy" if json.loads(version.classes_json or "[]") else "rmse"
    trained = training_score(version, metric)
    history = repo.feedback_errors(
        deployment.id, version.version, min(HISTORY_MAX, HISTORY_WINDOWS * window)
    )
    history.reverse()  # oldest first: prediction order
    errors = np.fromiter((e for _, e in history), dtype=float, count=len(history))
    points = rolling_scores(errors, window, metric)
    response = pb.GetPerformanceResponse(
        version=version.version,
        metric=metric,
        has_training_score=trained is not None,
        training_score=trained or 0.0,
        labels=repo.feedback_count(deployment.id, version.version),
        window_labels=window,
        max_accuracy_drop=drop,
        max_rmse_increase=rise,
        points=[
            pb.PerformancePoint(labels=n, score=s, at=_iso(history[n - 1][0])) for n, s in points
        ],
    )
    alert = repo.concept_alert(deployment.id, version.version)
    if points:
        response.has_current = True
        response.current_score = points[-1][1]
        response.current_labels = min(len(history), window)
    if trained is not None:
        threshold = trained - drop if metric == "accuracy" else trained * (1.0 + rise)
        response.threshold_score = threshold
        full = len(history) >= window
        response.concept_drift = bool(points and full and drifted(metric, points[-1][1], threshold))
        if response.concept_drift and alert is None:
            alert = ConceptAlert(
                deployment_id=deployment.id,
                version=version.version,
                metric=metric,
                training_score=trained,
                score=points[-1][1],
                threshold=threshold,
                detected_at=utcnow(),
            )
            repo.add(alert)
            enqueue(
                session,
                PRODUCER,
                events.SERVING_CONCEPT_DRIFT_DETECTED,
                events_pb.ConceptDriftDetected(
                    deployment_id=deployment.id,
                    owner_id=deployment.owner_id,
                    version=version.version,
                    metric=metric,
                    training_score=trained,
                    current_score=points[-1][1],
                    threshold=threshold,
                    window_labels=window,
                ),
            )
    if alert is not None:
        response.detected_at = _iso(alert.detected_at)
    return response
