"""Grade challenge predictions against hidden labels. Runs in the service, never in the
sandbox: the labels file is not mounted into any run."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from numbers import Real
from pathlib import Path
from typing import Any

from .models import GradingError

# The metrics this grader computes; which direction is better is
# `services.common.ml.scoring.METRIC_DIRECTION`'s to say.
METRICS: tuple[str, ...] = ("accuracy", "f1", "roc_auc", "rmse", "mae", "r2")
_LABEL_COLUMNS = ("label", "target", "y")


def _is_number(value: Any) -> bool:
    return isinstance(value, Real)


def _load_labels(path: str) -> list[Any]:
    """A CSV with a header (column ``label``/``target``/``y``, else the last column) or a
    JSON list."""
    file = Path(path)
    if not file.is_file():
        raise GradingError("the hidden labels for this challenge are unavailable")
    if file.suffix.lower() == ".json":
        try:
            data = json.loads(file.read_text())
        except ValueError:
            raise GradingError("the hidden labels file is not valid JSON") from None
        if not isinstance(data, list):
            raise GradingError("the hidden labels file must hold a JSON list")
        return data
    import pandas as pd

    try:
        frame = pd.read_csv(file)
    except Exception:
        raise GradingError("the hidden labels file could not be read") from None
    if frame.shape[1] == 0:
        raise GradingError("the hidden labels file has no columns")
    lowered = {str(c).lower(): c for c in frame.columns}
    column = next((lowered[c] for c in _LABEL_COLUMNS if c in lowered), frame.columns[-1])
    return [v.item() if hasattr(v, "item") else v for v in frame[column].tolist()]


def _numeric(values: Sequence[Any], what: str) -> list[float]:
    out = []
    for v in values:
        if not _is_number(v):
            raise GradingError(f"{what} must be numbers, got {type(v).__name__} ({v!r:.40})")
        number = float(v)
        if not math.isfinite(number):
            raise GradingError(f"{what} must be finite numbers, got {number}")
        out.append(number)
    return out


def _labels_pair(preds: Sequence[Any], labels: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """Hard labels compared like with like: numbers with numbers, text with text."""
    if any(isinstance(p, list | dict) for p in preds):
        raise GradingError("predictions must be one label per row, not lists")
    if all(_is_number(v) for v in labels):
        return _numeric(preds, "predictions"), _numeric(labels, "labels")
    if all(isinstance(p, str) for p in preds):
        return list(preds), [str(v) for v in labels]
    raise GradingError("predictions must be text labels like the challenge's labels")


def grade(predictions: Sequence[Any] | None, labels_path: str, metric: str) -> float:
    """Score ``predictions`` against the labels at ``labels_path`` with ``metric``
    (accuracy, f1 (macro), roc_auc, rmse, mae, r2). Raises ``GradingError``."""
    metric = (metric or "").strip().lower()
    if metric not in METRICS:
        raise GradingError(f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}")
    if predictions is None:
        raise GradingError("no predictions were submitted: call ascent_report.predictions(y_pred)")
    if isinstance(predictions, str | bytes | dict) or not isinstance(predictions, Sequence):
        if hasattr(predictions, "tolist"):
            predictions = predictions.tolist()
        else:
            raise GradingError("predictions must be a list of values")
    preds = list(predictions)
    if not preds:
        raise GradingError("no predictions were submitted: call ascent_report.predictions(y_pred)")
    labels = _load_labels(labels_path)
    if len(preds) != len(labels):
        raise GradingError(f"expected {len(labels)} predictions, got {len(preds)}")

    from sklearn import metrics as m

    try:
        if metric == "accuracy":
            p, y = _labels_pair(preds, labels)
            return float(m.accuracy_score(y, p))
        if metric == "f1":
            p, y = _labels_pair(preds, labels)
            return float(m.f1_score(y, p, average="macro", zero_division=0))
        if metric == "roc_auc":
            return _roc_auc(preds, labels)
        p_num = _numeric(preds, "predictions")
        y_num = _numeric(labels, "labels")
        if metric == "rmse":
            return float(math.sqrt(m.mean_squared_error(y_num, p_num)))
        if metric == "mae":
            return float(m.mean_absolute_error(y_num, p_num))
        return float(m.r2_score(y_num, p_num))
    except GradingError:
        raise
    except ValueError as exc:
        raise GradingError(f"cannot compute {metric}: {exc}") from None


def _roc_auc(preds: list[Any], labels: list[Any]) -> float:
    from sklearn.metrics import roc_auc_score

    classes = sorted(set(labels), key=str)
    if len(classes) < 2:
        raise GradingError("roc_auc needs at least two classes in the labels")
    if all(isinstance(p, list | tuple) for p in preds):
        widths = {len(p) for p in preds}
        if len(widths) != 1:
            raise GradingError("every probability row must have the same length")
        rows = [_numeric(p, "probabilities") for p in preds]
        width = widths.pop()
        if width != len(classes):
            raise GradingError(
                f"expected {len(classes)} probabilities per row (one per class), got {width}"
            )
        if width == 2:
            return float(roc_auc_score(labels, [r[1] for r in rows]))
        return float(roc_auc_score(labels, rows, multi_class="ovr", labels=classes))
    if len(classes) != 2:
        raise GradingError(
            "roc_auc for more than two classes needs one row of class probabilities per "
            "prediction (model.predict_proba(X))"
        )
    scores = _numeric(preds, "roc_auc predictions (probabilities or scores)")
    return float(roc_auc_score(labels, scores))
