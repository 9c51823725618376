"""Pipeline specs: canonical keys, the priors per task type, specs reported by runs."""

from __future__ import annotations

import json

import pytest

from services.coach.codegen import ESTIMATORS
from services.common.ml.pipelines import (
    PORTFOLIO,
    PRIOR_PIPELINES,
    PRIOR_RATIONALE,
    canonical_spec,
    describe,
    pipeline_key,
    prior_recommendations,
    prior_specs,
    spec_from_outcome,
)
from services.common.ml.tasks import CLASSIFICATION, REGRESSION, TASK_TYPES


def test_key_ignores_order_and_non_scalar_params() -> None:
    a = {"estimator": " SVC ", "steps": ["StandardScaler"], "params": {"C": 1.0, "k": [1]}}
    b = {"params": {"C": 1.0}, "steps": ["StandardScaler"], "estimator": "SVC"}
    assert pipeline_key(a) == pipeline_key(b)
    assert json.loads(pipeline_key(a)) == {
        "estimator": "SVC",
        "params": {"C": 1.0},
        "steps": ["StandardScaler"],
    }
    with pytest.raises(ValueError, match="no estimator"):
        canonical_spec({"steps": []})
    with pytest.raises(ValueError, match="JSON object"):
        canonical_spec(["SVC"])


@pytest.mark.parametrize("task", TASK_TYPES)
def test_priors_and_portfolio_fit_their_task(task: str) -> None:
    specs = prior_specs(task)
    assert len(specs) == len(PRIOR_PIPELINES[task]) == 3
    assert all(ESTIMATORS[s["estimator"]].task == task for s in PORTFOLIO[task])
    assert {pipeline_key(s) for s in specs} <= {pipeline_key(s) for s in PORTFOLIO[task]}
    # Fresh copies: changing one does not change the priors.
    specs[0]["params"]["n_estimators"] = 1
    assert prior_specs(task)[0] != specs[0]
    recs = prior_recommendations(task)
    assert [r.key for r in recs] == [pipeline_key(s) for s in prior_specs(task)]
    assert all(r.rationale == PRIOR_RATIONALE and r.support == 0 for r in recs)


def test_unknown_task_gets_the_classification_priors() -> None:
    assert prior_specs("") == prior_specs(CLASSIFICATION) != prior_specs(REGRESSION)


def test_spec_from_outcome_prefers_the_reported_pipeline() -> None:
    reported = json.dumps({"estimator": "Ridge", "steps": ["SimpleImputer"], "params": {}})
    assert spec_from_outcome(reported, "LinearRegression") == {
        "estimator": "Ridge",
        "steps": ["SimpleImputer"],
        "params": {},
    }
    assert spec_from_outcome("not json", "SVC") == {"steps": [], "estimator": "SVC", "params": {}}
    assert spec_from_outcome("", "") is None
    assert describe(prior_specs(CLASSIFICATION)[0]) == (
        "RandomForestClassifier + SimpleImputer + OneHotEncoder"
    )
