"""The platform judging a deployed version on its challenge (issue 16).

A version deployed from a challenge's run is scored by the platform, not by what the learner's
code printed: serving runs the loaded ONNX model (no learner code) on the challenge's test
features and execution's grader scores the predictions against the hidden labels, exactly as
it grades a submission. The score is what deployment rules trust (curriculum/README.md,
"Deployed models that meet their bar"); a reported metric is shown, never counted.
"""

from __future__ import annotations

import asyncio
import io
import json
import math
from typing import Any

import pandas as pd

from services.common.errors import AscentError
from services.serving.clients import ExecutionClient
from services.serving.loader import LoadedModel, predict_with_probabilities

JUDGED = "judged"
NOT_JUDGED = "not_judged"


def not_judged(slug: str, version: int, message: str) -> dict[str, Any]:
    return {
        "status": NOT_JUDGED,
        "message": message[:500],
        "challenge_slug": slug,
        "challenge_version": version,
    }


def _column(frame: pd.DataFrame, name: str, kind: str) -> list[Any]:
    series = frame[name]
    if kind == "string":
        # A missing text cell reaches the learner's pandas code as NaN too; the ONNX string
        # input cannot hold NaN, so it is the empty string (what most imputers make of it).
        return ["" if isinstance(v, float) and math.isnan(v) else str(v) for v in series]
    if kind == "integer":
        if series.isna().any():
            raise ValueError(f"column {name!r} has missing values but the model takes integers")
        return [int(v) for v in series]
    # Numbers stay NaN where missing: an imputer in the exported pipeline handles them.
    return [float(v) for v in series]


def model_inputs(model: LoadedModel, csv: bytes) -> list[list[Any]]:
    """The test features as rows of plain values in the model's feature order; ValueError
    when the model's inputs are not the challenge's columns."""
    frame = pd.read_csv(io.BytesIO(csv))
    missing = [f.name for f in model.features if f.name not in frame.columns]
    if missing:
        shown = ", ".join(repr(n) for n in missing[:5])
        raise ValueError(
            f"the model takes columns the challenge's test file does not have ({shown}): "
            "deploy a pipeline that starts from the challenge's own columns"
        )
    columns = [_column(frame, f.name, f.type) for f in model.features]
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def predictions_for(model: LoadedModel, rows: list[list[Any]], metric: str) -> list[Any]:
    labels, probabilities = predict_with_probabilities(model, rows)
    if metric == "roc_auc":
        if probabilities is None:
            raise ValueError("ROC-AUC needs class probabilities and the model gives none")
        # The positive class is the last of the sorted classes (scikit-learn's order).
        return [row[-1] for row in probabilities]
    return labels


async def judge(
    execution: ExecutionClient, model: LoadedModel, slug: str, version: int
) -> dict[str, Any]:
    """The judgement stored with the version (as JSON) and shown on its model card. A model
    that cannot be judged still deploys: the reason is kept, and it counts for no rule."""
    try:
        features = await execution.test_features(slug, version)
    except AscentError as err:
        return not_judged(slug, version, f"The challenge's test rows are unavailable: {err}")
    version = features.challenge_version
    try:
        rows = await asyncio.to_thread(model_inputs, model, features.csv)
        predictions = await asyncio.to_thread(predictions_for, model, rows, features.metric)
    except (ValueError, pd.errors.ParserError) as err:
        return not_judged(slug, version, f"Not judged: {err}.")
    try:
        grade = await execution.grade(slug, version, json.dumps(predictions))
    except AscentError as err:
        return not_judged(slug, version, f"Not judged: the grader is unavailable ({err}).")
    if grade.status != "graded" or not grade.HasField("public_score"):
        return not_judged(slug, version, grade.message or f"Not judged ({grade.status}).")
    return {
        "status": JUDGED,
        "message": "",
        "challenge_slug": slug,
        "challenge_version": version,
        "metric": grade.metric,
        "score": grade.public_score,
        "pass_threshold": grade.pass_threshold,
        "passed": grade.passed,
        "rows": len(rows),
    }
