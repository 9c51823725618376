"""The Model Training Sandbox end to end: through the gateway, the apps service and the real
sandbox on real data (scikit-learn's diabetes regression and breast-cancer classification
datasets), curves streamed point by point, Stop leaving no half result."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes

from services.common.report_sections import sections_of
from tests.apps.conftest import completed_analysis, register
from tests.apps.test_explorer_flow import session_with
from tests.support.polling import eventually


def diabetes_csv() -> bytes:
    return bytes(load_diabetes(as_frame=True).frame.to_csv(index=False).encode())


def cancer_csv() -> bytes:
    frame: pd.DataFrame = load_breast_cancer(as_frame=True).frame
    return bytes(frame.to_csv(index=False).encode())


def train(
    api: httpx.Client, auth: dict[str, str], session_id: str, options: dict[str, Any]
) -> dict[str, Any]:
    return completed_analysis(api, auth, "training", session_id, options)


def points(analysis: dict[str, Any], curve: str) -> list[dict[str, Any]]:
    return [
        s["data"]
        for s in analysis["sections"]
        if s["kind"] == "curve_point" and s["data"]["curve"] == curve
    ]


def starting_points(api: httpx.Client, auth: dict[str, str], session_id: str) -> dict[str, Any]:
    response = api.get(
        "/api/apps/training/starting-points", params={"session_id": session_id}, headers=auth
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def test_training_curves_split_reading_and_reproduced_in_the_notebook(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'training-learner')}"}
    session_id = session_with(api, auth, diabetes_csv(), "diabetes.csv")
    # Before any training: the documented defaults, said so.
    before = starting_points(api, auth, session_id)
    assert before["recommended"] == [] and before["evidence"] == "documented default"
    assert all(r["source"].startswith("documented") for r in before["models"]["tree"])

    options = {"model": "boosting", "params": {"n_estimators": 40, "max_depth": 2}}
    analysis = train(api, auth, session_id, options)
    kinds = [s["kind"] for s in analysis["sections"]]
    assert kinds[0] == "split" and kinds[-1] == "evaluation"
    split = analysis["sections"][0]["data"]
    assert (split["train"], split["validation"], split["test"]) == (264, 89, 89)
    assert split["task_type"] == "regression" and split["params"]["learning_rate"] == 0.1
    # Every hyperparameter with a one-line explanation and a range, documented (no evidence).
    ranges = {r["name"]: r for r in split["ranges"]}
    assert set(ranges) == {"n_estimators", "learning_rate", "max_depth"}
    assert all(r["explanation"] and r["source"].startswith("documented") for r in ranges.values())

    learning = points(analysis, "learning")
    assert [p["x"] for p in learning] == sorted(p["x"] for p in learning)
    assert learning[-1]["x"] == 264
    validation = points(analysis, "validation")
    assert [p["x"] for p in validation] == [0.01, 0.03, 0.1, 0.3, 1.0]
    stages = points(analysis, "stages")
    assert stages[0]["x"] == 1 and stages[-1]["x"] == 40
    assert stages[-1]["loss"] < stages[0]["loss"], "boosting lowers its training loss"
    evaluation = analysis["sections"][-1]["data"]
    assert evaluation["metric"] == "r2" and evaluation["train"] > evaluation["validation"]
    assert evaluation["reading"] in {
        "high variance (overfitting)",
        "high bias (underfitting)",
        "balanced",
    }
    assert evaluation["advice"]

    # The run is on the Runs board with its test R², marked with its app.
    runs = api.get(f"/api/runs/{session_id}", headers=auth).json()["data"]
    run = next(r for r in runs if r["id"] == analysis["runId"])
    assert run["appSlug"] == "training" and run["modelType"] == "GradientBoostingRegressor"
    assert abs(run["r2"] - evaluation["test"]) < 1e-4

    # Unchanged in the notebook, the program prints the same numbers.
    response = api.post(
        "/api/runs", json={"sessionId": session_id, "code": analysis["code"]}, headers=auth
    )
    again = response.json()["data"]
    assert again["error"] is None, again["stdout"][-2000:]
    printed = [{"kind": s.kind, "data": s.data} for s in sections_of(again["stdout"])]
    stored = [s for s in analysis["sections"] if s["kind"] != "split"]
    assert [s for s in printed if s["kind"] != "split"] == [
        {"kind": s["kind"], "data": s["data"]} for s in stored
    ]

    # Another learner on a similar dataset (other rows of the same kind of data, never
    # analysed by an app) gets the winning configuration as the starting point before any
    # training: apps.analysis.completed.v1 → the recommender's knowledge base → AppEvidence.
    other = {"Authorization": f"Bearer {register(api, 'training-other')}"}
    frame = load_diabetes(as_frame=True).frame.sample(n=400, random_state=1)
    similar = session_with(api, other, frame.to_csv(index=False).encode(), "diabetes-b.csv")

    def recommended() -> dict[str, Any] | None:
        found = starting_points(api, other, similar)
        return found if found["recommended"] else None

    found = eventually(recommended, timeout=60, what="the starting point from the first training")
    assert found["recommended"][0]["model"] == "boosting"
    assert found["recommended"][0]["params"]["n_estimators"] == 40
    assert found["evidence"] == "based on 1 run on similar datasets"

    # A second training on this dataset sees the first as evidence.
    second = train(api, auth, session_id, {"model": "tree", "params": {"max_depth": 3}})
    split2 = second["sections"][0]["data"]
    assert split2["evidence_count"] == 1
    assert split2["recommended"][0]["model"] == "boosting"


def test_mlp_loss_curve_and_classification(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'training-mlp')}"}
    session_id = session_with(api, auth, cancer_csv(), "cancer.csv")
    analysis = train(api, auth, session_id, {"model": "mlp", "params": {"max_iter": 12}})
    loss = points(analysis, "loss")
    assert [p["x"] for p in loss] == list(range(1, 13))
    assert loss[-1]["loss"] < loss[0]["loss"]
    evaluation = analysis["sections"][-1]["data"]
    assert evaluation["metric"] == "accuracy" and evaluation["validation"] > 0.85


def test_stop_leaves_no_half_result_and_bad_input_says_why(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'training-stop')}"}
    session_id = session_with(api, auth, cancer_csv(), "cancer.csv")
    seen: list[str] = []
    analysis_id = ""
    body = {
        "sessionId": session_id,
        "options": {"model": "forest", "params": {"n_estimators": 400}},
    }
    with api.stream(
        "POST", "/api/apps/training/analyses/stream", json=body, headers=auth
    ) as response:
        event = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                seen.append(event)
                if event == "started":
                    analysis_id = data["analysisId"]
                if event == "section" and data["kind"] == "curve_point":
                    stopped = api.post(
                        f"/api/apps/training/analyses/{analysis_id}/cancel", headers=auth
                    )
                    assert stopped.json()["data"]["found"] is True
                if event == "result":
                    assert data["status"] == "cancelled" and data["sections"] == []
    assert "result" in seen
    stored = api.get(f"/api/apps/training/analyses/{analysis_id}", headers=auth).json()["data"]
    assert stored["status"] == "cancelled" and stored["sections"] == []

    few = session_with(api, auth, b"a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n", "few.csv")
    problems = train(api, auth, few, {})["sections"][0]
    assert problems["kind"] == "problems" and problems["data"]["blocking"] is True
    assert problems["data"]["problems"][0]["key"] == "few_rows"
    assert "at least 40 rows" in problems["data"]["problems"][0]["what_would_work"]

    response = api.post(
        "/api/apps/training/analyses",
        json={"sessionId": session_id, "options": {"model": "tree", "params": {"max_depth": 99}}},
        headers=auth,
    )
    assert response.status_code == 400
    assert "max_depth must lie in 1–30" in response.json()["error"]["message"]
