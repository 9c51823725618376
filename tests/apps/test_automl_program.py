"""The AutoML Trainer's builder: recommended specs become warm-start trials of the program's
space (clipped into it), bad options are refused with what would work."""

from __future__ import annotations

from typing import Any

import pytest

from services.apps.programs import ProgramRequest, build_program
from services.apps.programs.automl import automl_values, wall_seconds, warm_trial
from services.common.errors import AscentError
from services.common.ml.pipelines import PORTFOLIO, pipeline_key


def test_recommended_specs_become_trials_of_the_space() -> None:
    ridge = {
        "steps": ["SimpleImputer", "StandardScaler"],
        "estimator": "Ridge",
        "params": {"alpha": 10.0},
    }
    trial = warm_trial(ridge, ("linear", "forest"))
    assert trial is not None
    assert trial["family"] == "linear" and trial["params"] == {"C": 0.1}
    assert trial["scaler"] == "standard" and trial["key"] == pipeline_key(ridge)
    forest = PORTFOLIO["classification"][5]  # 300 trees, max_features 0.5
    mapped = warm_trial(forest, ("forest",))
    assert mapped is not None and mapped["params"]["n_estimators"] == 200  # clipped into 20–200
    assert mapped["params"]["max_features"] == 0.5 and "n_jobs" not in mapped["params"]
    assert warm_trial(forest, ("linear",)) is None, "a family not searched is left out"
    assert warm_trial({"estimator": "XGBClassifier"}, ("forest",)) is None


def test_options_checked_and_the_program_built() -> None:
    values = automl_values({"warm": "no", "warm_start": list(PORTFOLIO["regression"])}, 20000)
    assert values["WARM_START"] == [] and values["BUDGET_SECONDS"] == 30
    values = automl_values({"warm_start": list(PORTFOLIO["regression"])}, 20000)
    assert 1 <= len(values["WARM_START"]) <= 5
    refused: list[tuple[dict[str, Any], str]] = [
        ({"budget_seconds": 5}, "too small for one trial"),
        ({"budget_seconds": 301}, "10 s to 5 min"),
        ({"search": "genetic"}, "grid, random, bayesian"),
        ({"families": ["xgboost"]}, "families must name"),
    ]
    for bad, message in refused:
        with pytest.raises(AscentError, match=message):
            automl_values(bad, 20000)
    assert wall_seconds({"budget_seconds": 300}) == 320.0
    code = build_program(
        "automl", ProgramRequest(target="y", options={"budget_seconds": 60}, sample_rows=20000)
    )
    assert "BUDGET_SECONDS = 60" in code and "{{" not in code
    compile(code, "automl", "exec")
