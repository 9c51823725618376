"""Pipeline specs, their canonical keys and the built-in priors.

The coach and the recommender share ONE definition of the priors and of the key a spec is
known by (and of a recommendation, which the coach receives over gRPC).

A spec is `{"steps": [str, ...], "estimator": str, "params": {str: scalar}}`. Its key is the
canonical JSON text (sorted keys, no spaces), so the same pipeline reported by two runs (or
recommended and then run) lands under the same key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from services.common.ml.tasks import CLASSIFICATION, REGRESSION

PipelineSpec = dict[str, Any]

PRIOR_RATIONALE = "prior (no similar runs yet)"


@dataclass(frozen=True)
class Recommendation:
    """A ranked pipeline; the priors come with expected_score 0 and support 0."""

    spec: PipelineSpec
    key: str
    expected_score: float
    support: int
    rationale: str
    # Spread of the expected score (posterior standard deviation; 0 for the plain priors).
    uncertainty: float = 0.0
    # Mean observed run time of this pipeline on the similar datasets (0 when unknown).
    expected_cost_ms: float = 0.0


# Ordered by how well they usually do on small tabular data: a forest first because it needs
# no scaling and copes with non-linear boundaries, the linear model last as the simple baseline.
# Forests fit their trees on threads (n_jobs=-1), which keeps 10k rows within a few seconds.
PRIOR_PIPELINES: dict[str, tuple[PipelineSpec, ...]] = {
    CLASSIFICATION: (
        {
            "steps": ["SimpleImputer", "OneHotEncoder"],
            "estimator": "RandomForestClassifier",
            "params": {"n_estimators": 200, "n_jobs": -1, "random_state": 42},
        },
        {
            "steps": ["SimpleImputer", "OneHotEncoder"],
            "estimator": "HistGradientBoostingClassifier",
            "params": {"random_state": 42},
        },
        {
            "steps": ["SimpleImputer", "OneHotEncoder", "StandardScaler"],
            "estimator": "LogisticRegression",
            "params": {"max_iter": 1000},
        },
    ),
    REGRESSION: (
        {
            "steps": ["SimpleImputer", "OneHotEncoder"],
            "estimator": "RandomForestRegressor",
            "params": {"n_estimators": 200, "n_jobs": -1, "random_state": 42},
        },
        {
            "steps": ["SimpleImputer", "OneHotEncoder"],
            "estimator": "HistGradientBoostingRegressor",
            "params": {"random_state": 42},
        },
        {
            "steps": ["SimpleImputer", "OneHotEncoder", "StandardScaler"],
            "estimator": "Ridge",
            "params": {"alpha": 1.0},
        },
    ),
}


def _spec(estimator: str, steps: list[str] | None = None, **params: Any) -> PipelineSpec:
    return {
        "steps": ["SimpleImputer", "OneHotEncoder", *(steps or [])],
        "estimator": estimator,
        "params": params,
    }


# Candidate pipelines the cold-start priors are measured on (`bench/build_priors.py`): the priors
# above plus tuned variants and other model families. A spec stays data, never code.
PORTFOLIO: dict[str, tuple[PipelineSpec, ...]] = {
    CLASSIFICATION: (
        *PRIOR_PIPELINES[CLASSIFICATION],
        _spec(
            "HistGradientBoostingClassifier",
            learning_rate=0.05,
            max_iter=400,
            max_leaf_nodes=15,
            l2_regularization=1.0,
            random_state=42,
        ),
        _spec("ExtraTreesClassifier", n_estimators=300, n_jobs=-1, random_state=42),
        _spec(
            "RandomForestClassifier",
            n_estimators=300,
            max_features=0.5,
            min_samples_leaf=2,
            n_jobs=-1,
            random_state=42,
        ),
        _spec("SVC", ["StandardScaler"], C=3.0),
        _spec("KNeighborsClassifier", ["StandardScaler"], n_neighbors=7, weights="distance"),
        _spec("LogisticRegression", ["StandardScaler"], C=0.1, max_iter=1000),
    ),
    REGRESSION: (
        *PRIOR_PIPELINES[REGRESSION],
        _spec(
            "HistGradientBoostingRegressor",
            learning_rate=0.05,
            max_iter=400,
            max_leaf_nodes=15,
            l2_regularization=1.0,
            random_state=42,
        ),
        _spec("ExtraTreesRegressor", n_estimators=300, n_jobs=-1, random_state=42),
        _spec(
            "RandomForestRegressor",
            n_estimators=300,
            max_features=0.5,
            min_samples_leaf=2,
            n_jobs=-1,
            random_state=42,
        ),
        _spec("GradientBoostingRegressor", random_state=42),
        _spec("KNeighborsRegressor", ["StandardScaler"], n_neighbors=7, weights="distance"),
        _spec("Ridge", ["StandardScaler"], alpha=10.0),
    ),
}


def prior_specs(task_type: str) -> list[PipelineSpec]:
    """Fresh copies of the priors for a task type (classification when unknown)."""
    chosen = PRIOR_PIPELINES.get(task_type, PRIOR_PIPELINES[CLASSIFICATION])
    return [canonical_spec(spec) for spec in chosen]


def prior_recommendations(task_type: str) -> list[Recommendation]:
    return [
        Recommendation(spec, pipeline_key(spec), 0.0, 0, PRIOR_RATIONALE)
        for spec in prior_specs(task_type)
    ]


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def canonical_spec(raw: Any) -> PipelineSpec:
    """Normalise a decoded spec; raises ValueError when it names no estimator."""
    if not isinstance(raw, dict):
        raise ValueError("pipeline spec must be a JSON object")
    estimator = raw.get("estimator")
    if not isinstance(estimator, str) or not estimator.strip():
        raise ValueError("pipeline spec has no estimator")
    steps_raw = raw.get("steps") or []
    steps = [str(step) for step in steps_raw] if isinstance(steps_raw, list) else []
    params_raw = raw.get("params") or {}
    params = (
        {str(k): v for k, v in params_raw.items() if _scalar(v)}
        if isinstance(params_raw, dict)
        else {}
    )
    return {"steps": steps, "estimator": estimator.strip(), "params": params}


def pipeline_key(spec: PipelineSpec) -> str:
    return json.dumps(canonical_spec(spec), sort_keys=True, separators=(",", ":"))


def spec_from_outcome(pipeline_json: str, model_type: str) -> PipelineSpec | None:
    """The spec a run reported (`PIPELINE:` line), else one derived from its model type."""
    if pipeline_json.strip():
        try:
            return canonical_spec(json.loads(pipeline_json))
        except ValueError:
            pass
    if model_type.strip():
        return {"steps": [], "estimator": model_type.strip(), "params": {}}
    return None


# The estimators the Model Explainability Suite can re-create from a spec (issue 15, the names
# its program imports): the apps service's builder refuses any other, and the gateway offers
# only runs of these as the model to explain.
EXPLAINABLE_ESTIMATORS = (
    "RandomForestClassifier",
    "RandomForestRegressor",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor",
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "LogisticRegression",
    "Ridge",
    "LinearRegression",
    "Lasso",
    "ElasticNet",
    "KNeighborsClassifier",
    "KNeighborsRegressor",
    "SVC",
    "SVR",
    "MLPClassifier",
    "MLPRegressor",
)


def describe(spec: PipelineSpec) -> str:
    """Short human name, e.g. "RandomForestClassifier + SimpleImputer + OneHotEncoder"."""
    return " + ".join([spec["estimator"], *spec["steps"]])
