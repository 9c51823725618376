"""Generated experiments really run, print the protocol, and beat the seed where it fails."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_circles

from services.coach.codegen import generate_code, runnable_spec
from services.coach.engine import BuiltinEngine, ImproveContext
from services.common.ml.pipelines import pipeline_key, prior_specs
from tests.coach.helpers import SEED_TEMPLATE, crashed_run, run_code, scored_run
from tests.recommender.data import mixed_csv

# The tests run the generated experiments in fresh interpreters (run_code).
pytestmark = pytest.mark.sandbox


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def messy_regression_csv(rows: int = 300) -> bytes:
    rng = np.random.default_rng(4)
    city = rng.choice(["north", "south", "east"], size=rows).astype(object)
    area = rng.uniform(30, 200, size=rows).round(1)
    rooms = rng.integers(1, 6, size=rows).astype(float)
    price = 2.0 * area + 15 * rooms + np.where(city == "north", 80, 0) + rng.normal(0, 5, rows)
    area[::9] = np.nan
    city[::11] = None
    frame = pd.DataFrame({"city": city, "area": area, "rooms": rooms, "price": price.round(2)})
    return frame.to_csv(index=False).encode()


def circles_csv() -> bytes:
    features, labels = make_circles(n_samples=400, noise=0.1, factor=0.5, random_state=0)
    frame = pd.DataFrame(features, columns=["x", "y"])
    frame["ring"] = labels
    return frame.to_csv(index=False).encode()


@pytest.mark.parametrize("index", [0, 1, 2])
def test_prior_pipelines_run_on_messy_classification_data(tmp_path: Path, index: int) -> None:
    spec = prior_specs("classification")[index]
    code = generate_code(spec, "classification", "Prior")
    # Four fits (3-fold CV on the training rows, then the model): HistGradientBoosting's
    # threads need the time on a loaded machine.
    csv = write(tmp_path, "mixed.csv", mixed_csv(seed=2, rows=300))
    result = run_code(code, csv, tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr
    assert 0.5 < (result.metric("ACCURACY") or 0) <= 1
    assert 0.5 < (result.metric("CV_SCORE") or 0) <= 1
    assert result.line("TASK_TYPE") == "classification"
    assert result.line("MODEL_TYPE") == spec["estimator"]
    for name in ("PRECISION", "RECALL", "F1"):
        assert result.metric(name) is not None
    assert len(json.loads(result.line("CONFUSION_MATRIX") or "[]")) == 2
    info = json.loads(result.line("DATASET_INFO") or "{}")
    assert info == {
        "rows": 300,
        "columns": 3,
        "features": ["colour", "size", "weight"],
        "target": "label",
        "task_type": "classification",
    }
    # What the run reports is what the recommender will learn under the recommended key.
    assert pipeline_key(json.loads(result.line("PIPELINE") or "{}")) == pipeline_key(spec)


@pytest.mark.parametrize("index", [0, 2])
def test_prior_pipelines_run_on_messy_regression_data(tmp_path: Path, index: int) -> None:
    spec = prior_specs("regression")[index]
    code = generate_code(spec, "regression", "Prior")
    result = run_code(code, write(tmp_path, "houses.csv", messy_regression_csv()), tmp_path)
    assert result.returncode == 0, result.stderr
    assert (result.metric("R2") or 0) > 0.8
    assert result.metric("RMSE") is not None
    assert result.metric("MAE") is not None
    assert result.metric("ACCURACY") is None
    assert result.line("TASK_TYPE") == "regression"


def test_classifier_spec_switches_to_its_counterpart_on_regression_data(tmp_path: Path) -> None:
    spec = {"steps": [], "estimator": "SVC", "params": {"C": 3.0}}
    code = generate_code(spec, "classification", "SVC + Scaling")
    result = run_code(code, write(tmp_path, "houses.csv", messy_regression_csv()), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.line("MODEL_TYPE") == "SVR"
    assert result.metric("R2") is not None


def test_iris_fallback_without_upload(tmp_path: Path) -> None:
    code = generate_code({"estimator": "KNN"}, "classification", "KNN + Scaling")
    result = run_code(code, None, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.line("MODEL_TYPE") == "KNeighborsClassifier"
    assert (result.metric("ACCURACY") or 0) > 0.9
    assert json.loads(result.line("PIPELINE") or "{}")["steps"][-1] == "StandardScaler"


def test_runnable_spec_resolution() -> None:
    assert runnable_spec({"estimator": "XGBClassifier"}, "classification") is None
    forest = runnable_spec(
        {"estimator": "RandomForest", "params": {"n_estimators": 50, "bogus": 1}},
        "regression",
    )
    assert forest == {
        "steps": ["SimpleImputer", "OneHotEncoder"],
        "estimator": "RandomForestRegressor",
        "params": {"n_estimators": 50},
    }
    # Invalid values are dropped rather than crashing the learner's run.
    bad = runnable_spec({"estimator": "SVC", "params": {"C": "lots"}}, "classification")
    assert bad is not None
    assert bad["params"] == {}
    with pytest.raises(ValueError, match="no code template"):
        generate_code({"estimator": "XGBClassifier"}, "classification", "x")


def test_improvement_fixes_the_seed_crash_on_text_and_missing_values(tmp_path: Path) -> None:
    csv = write(tmp_path, "mixed.csv", mixed_csv(seed=9, rows=400))
    baseline = run_code(SEED_TEMPLATE, csv, tmp_path)
    assert baseline.returncode != 0
    assert "could not convert string to float" in baseline.stderr

    run = crashed_run(
        "ValueError", baseline.stderr.strip().splitlines()[-1].split(": ", 1)[1], code=SEED_TEMPLATE
    )
    improvement = BuiltinEngine().propose(ImproveContext(run=run))
    assert "categorical" in improvement.diagnosis
    result = run_code(improvement.code, csv, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (result.metric("ACCURACY") or 0) > 0.8


def test_improvement_beats_logistic_regression_on_circles(tmp_path: Path) -> None:
    csv = write(tmp_path, "circles.csv", circles_csv())
    baseline = run_code(SEED_TEMPLATE, csv, tmp_path)
    assert baseline.returncode == 0, baseline.stderr
    baseline_accuracy = baseline.metric("ACCURACY")
    assert baseline_accuracy is not None

    run = scored_run("LogisticRegression", baseline_accuracy, code=SEED_TEMPLATE)
    improvement = BuiltinEngine().propose(ImproveContext(run=run))
    assert "LogisticRegression" not in improvement.name
    result = run_code(improvement.code, csv, tmp_path)
    assert result.returncode == 0, result.stderr
    improved_accuracy = result.metric("ACCURACY") or 0
    assert improved_accuracy > baseline_accuracy + 0.2, (baseline_accuracy, improved_accuracy)
