"""Deploy → predict end to end through the gateway, the real sandbox (the export program),
the real serving service and NATS: versions, the key shown once, checks with clear 4xx,
isolation between learners, the rate limit, refusals with their reason, and a restart of
serving that loses no deployment."""

from __future__ import annotations

import json

import httpx
import numpy as np
import pandas as pd

from services.supervisor.stack import Stack
from tests.apps.conftest import register
from tests.apps.test_explorer_flow import session_with
from tests.serving.conftest import RATE_BURST
from tests.support.polling import eventually

FOREST_RUN = """
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
df = pd.read_csv("/data/uploaded.csv")
X, y = df.drop(columns=["label"]), df["label"]
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model = RandomForestClassifier(n_estimators={n}, max_depth=5, random_state=0).fit(X_train, y_train)
print("ACCURACY:", model.score(X_test, y_test))
"""

CUSTOM_STEP_RUN = """
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
class Doubler(TransformerMixin, BaseEstimator):
    def fit(self, X, y=None):
        self.n_ = 1
        return self
    def transform(self, X):
        return X * 2
df = pd.read_csv("/data/uploaded.csv")
X, y = df.drop(columns=["label"]), df["label"]
model = Pipeline([("double", Doubler()), ("lr", LogisticRegression())]).fit(X, y)
"""


def dataset() -> tuple[bytes, pd.DataFrame]:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.normal(size=(300, 6)), columns=[f"x{i}" for i in range(6)])
    frame["label"] = np.where(frame["x0"] + frame["x1"] > 0, "yes", "no")
    return frame.to_csv(index=False).encode(), frame


def run(api: httpx.Client, auth: dict[str, str], session_id: str, code: str) -> str:
    response = api.post("/api/runs", json={"sessionId": session_id, "code": code}, headers=auth)
    assert response.status_code in (200, 201), response.text
    data = response.json()["data"]
    assert data["error"] is None, data["stderr"][-2000:]
    return str(data["id"])


def predict(api: httpx.Client, deployment_id: str, key: str, body: object) -> httpx.Response:
    return api.post(
        f"/api/models/{deployment_id}/predict",
        content=json.dumps(body) if not isinstance(body, bytes) else body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )


def test_deploy_predict_version_isolate_limit_and_survive_a_restart(
    api: httpx.Client, stack: Stack
) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'deploy-learner')}"}
    content, _frame = dataset()
    session_id = session_with(api, auth, content, "signs.csv")
    run_id = run(api, auth, session_id, FOREST_RUN.format(n=15))

    response = api.post(
        "/api/apps/deploy/deployments", json={"runId": run_id, "name": "signs"}, headers=auth
    )
    assert response.status_code == 201, response.text
    deployed = response.json()["data"]
    key = deployed["apiKey"]
    deployment = deployed["deployment"]
    version = deployed["version"]
    assert key.startswith("asc_") and deployment["keyPrefix"] == key[:10]
    assert version["version"] == 1 and version["runId"] == run_id
    assert [f["name"] for f in version["features"]] == [f"x{i}" for i in range(6)]
    assert version["classes"] == ["no", "yes"] and version["agreement"] == 1.0
    assert version["modelType"].endswith("RandomForestClassifier")
    assert 0 < version["metrics"]["accuracy"] <= 1
    assert version["benchmark"]["p50Ms"] > 0 and version["onnxBytes"] > 1000
    dep_id = deployment["id"]

    # serving.deployment.created.v1 reaches progress over NATS: the "first deployment" badge.
    eventually(
        lambda: (
            "first-deployment"
            in {
                b["slug"]
                for b in api.get("/api/me/progress", headers=auth).json()["data"]["badges"]
            }
        ),
        timeout=30,
    )

    # Predictions are what the learner's model predicts on these rows (the agreement check
    # ran in the sandbox; here: the clear sign rule the data follows, on far-away points).
    rows = [{f"x{i}": 0.0 for i in range(6)} | {"x0": 3.0, "x1": 3.0}]
    rows.append({f"x{i}": 0.0 for i in range(6)} | {"x0": -3.0, "x1": -3.0})
    answer = predict(api, dep_id, key, {"rows": rows})
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["predictions"] == ["yes", "no"] and data["version"] == 1
    assert data["classes"] == ["no", "yes"] and len(data["probabilities"]) == 2

    # Clear 4xx for what does not fit the training columns, never a 5xx.
    assert predict(api, dep_id, "asc_wrong", {"rows": rows}).status_code == 401
    missing = predict(api, dep_id, key, {"rows": [{"x0": 1.0}]})
    assert missing.status_code == 400 and "'x1'" in missing.json()["error"]["message"]
    wrong_type = predict(api, dep_id, key, {"rows": [rows[0] | {"x2": "high"}]})
    assert wrong_type.status_code == 400 and "'x2'" in wrong_type.json()["error"]["message"]
    assert predict(api, dep_id, key, b'{"rows": [{"x0": NaN}]}').status_code == 400
    assert predict(api, dep_id, key, b"[1, 2").status_code == 400
    assert predict(api, dep_id, key, b"x" * 1_100_000).status_code == 413

    # Another learner can neither read the deployment nor call it without its key.
    other = {"Authorization": f"Bearer {register(api, 'deploy-other')}"}
    assert api.get(f"/api/apps/deploy/deployments/{dep_id}", headers=other).status_code == 404
    assert api.get(f"/api/models/{dep_id}/model.onnx", headers=other).status_code == 404
    assert predict(api, dep_id, other["Authorization"][7:], {"rows": rows}).status_code == 401
    stolen = api.post(
        "/api/apps/deploy/deployments",
        json={"runId": run_id, "deploymentId": dep_id},
        headers=other,
    )
    assert stolen.status_code == 404

    # Deploying again makes v2 behind the same endpoint and key (no new key).
    run2 = run(api, auth, session_id, FOREST_RUN.format(n=25))
    response = api.post(
        "/api/apps/deploy/deployments",
        json={"runId": run2, "deploymentId": dep_id},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    assert response.json()["data"]["apiKey"] == ""
    assert response.json()["data"]["version"]["version"] == 2
    assert predict(api, dep_id, key, {"rows": rows}).json()["data"]["version"] == 2

    # The model card and client code, and the ONNX file for self-hosting.
    card = api.get(f"/api/apps/deploy/deployments/{dep_id}", headers=auth).json()["data"]
    assert [v["version"] for v in card["versions"]] == [2, 1]
    assert f"/api/models/{dep_id}/predict" in card["code"]["curl"]
    assert "onnxruntime" in card["code"]["fastapi"] and "httpx" in card["code"]["python"]
    onnx_file = api.get(f"/api/models/{dep_id}/model.onnx", headers=auth)
    assert (
        onnx_file.status_code == 200 and len(onnx_file.content) == card["versions"][0]["onnxBytes"]
    )

    # Predictions are logged (bounded; the monitor app reads them later).
    eventually(
        lambda: (
            api.get(f"/api/apps/deploy/deployments/{dep_id}", headers=auth).json()["data"][
                "predictionsLogged"
            ]
            >= 3
        ),
        timeout=10,
    )

    # A step without an ONNX converter is refused with its name and type.
    custom = run(api, auth, session_id, CUSTOM_STEP_RUN)
    refused = api.post("/api/apps/deploy/deployments", json={"runId": custom}, headers=auth)
    assert refused.status_code == 422
    assert "'double'" in refused.json()["error"]["message"]
    assert "Doubler" in refused.json()["error"]["message"]

    # Over the key's rate limit: 429 with Retry-After, and the limit is per key.
    statuses = [predict(api, dep_id, key, {"rows": rows}) for _ in range(RATE_BURST + 5)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited and int(limited[0].headers["Retry-After"]) >= 1
    assert {r.status_code for r in statuses} <= {200, 429}

    # A restart of serving loses no deployment: same key, same current version.
    stack.stop_child("serving")
    stack.start_child("serving")
    after = predict(api, dep_id, key, {"rows": rows})
    assert after.status_code == 200, after.text
    assert after.json()["data"] == data | {
        "version": 2,
        "latencyMs": after.json()["data"]["latencyMs"],
        "probabilities": after.json()["data"]["probabilities"],
        # Every request gets ids of its own (feedback names its rows by them).
        "predictionIds": after.json()["data"]["predictionIds"],
    }
    assert set(after.json()["data"]["predictionIds"]).isdisjoint(data["predictionIds"])
    listed = api.get("/api/apps/deploy/deployments", headers=auth).json()["data"]
    assert [d["id"] for d in listed] == [dep_id] and listed[0]["currentVersion"] == 2
