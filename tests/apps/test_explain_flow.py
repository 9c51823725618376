"""The Model Explainability Suite end to end (through the gateway, the apps service and the
real sandbox), and `shap` importable in learner code."""

from __future__ import annotations

import re
from typing import Any

import httpx
import numpy as np
import pandas as pd
import shap  # type: ignore[import-untyped]  # shap ships no type hints
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from services.common.report_sections import sections_of
from tests.apps.conftest import completed_analysis, register
from tests.apps.test_explorer_flow import session_with

PASSWORD = "correct horse 42"  # register()'s

SHAP_PROBE = """
import numpy as np
import shap  # type: ignore[import-untyped]  # shap ships no type hints
from sklearn.tree import DecisionTreeRegressor
rng = np.random.default_rng(0)
x = rng.normal(size=(60, 3))
y = 2 * x[:, 0] - x[:, 1]
model = DecisionTreeRegressor(max_depth=3, random_state=0).fit(x, y)
values = shap.TreeExplainer(model).shap_values(x[:5])
print("SHAP_SUM", round(float(np.abs(values).sum()), 6))
print("SHAP_VERSION", shap.__version__)
"""


def test_learner_code_imports_shap_and_computes_values(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'explain-shap')}"}
    session_id = session_with(api, auth, b"a,b,y\n1,2,0\n3,4,1\n5,6,0\n", "tiny.csv")
    response = api.post(
        "/api/runs", json={"sessionId": session_id, "code": SHAP_PROBE}, headers=auth
    )
    run = response.json()["data"]
    assert run["error"] is None, (run["stdout"] + run.get("stderr", ""))[-3000:]
    assert "SHAP_SUM" in run["stdout"]


def explain(
    api: httpx.Client, auth: dict[str, str], session_id: str, options: dict[str, Any]
) -> dict[str, Any]:
    return completed_analysis(api, auth, "explain", session_id, options)


FOREST = {
    "steps": ["SimpleImputer"],
    "estimator": "RandomForestClassifier",
    "params": {"n_estimators": 30, "max_depth": 4, "random_state": 42},
}


def test_tree_shap_equals_shap_and_reproduced_in_the_notebook(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'explain-learner')}"}
    frame: pd.DataFrame = load_breast_cancer(as_frame=True).frame
    session_id = session_with(api, auth, frame.to_csv(index=False).encode(), "cancer.csv")
    options = {"model": {"spec": FOREST, "from": "test"}, "depth": "intermediate", "repeats": 3}
    analysis = explain(api, auth, session_id, options)
    sections = {s["kind"]: s["data"] for s in analysis["sections"]}
    assert list(sections) == ["model", "importance", "beeswarm", "waterfall", "permutation"]
    model = sections["model"]
    assert model["explainer"] == "tree" and model["fallback"] is None
    assert model["explained_class"] == "1" and model["test_rows"] == 114

    # The same model and rows through `shap` here give the same SHAP values.
    x, y = frame.drop(columns=["target"]), frame["target"]
    x_train, _, y_train, _ = train_test_split(x, y, test_size=0.2, random_state=42)
    refit = make_pipeline(
        SimpleImputer(strategy="median"),
        RandomForestClassifier(n_estimators=30, max_depth=4, random_state=42),
    ).fit(x_train, y_train)
    beeswarm = sections["beeswarm"]
    rows = x.loc[beeswarm["rows"]]
    expected = shap.TreeExplainer(refit[-1]).shap_values(refit[0].transform(rows))[:, :, 1]
    columns = [list(x.columns).index(f) for f in beeswarm["features"]]
    got = np.array(beeswarm["values"])
    assert np.allclose(got, expected[:, columns], rtol=1e-4, atol=1e-6)
    importance = dict(
        zip(
            sections["importance"]["features"], sections["importance"]["mean_abs_shap"], strict=True
        )
    )
    for name in beeswarm["features"]:
        assert importance[name] > 0
    permutation = sections["permutation"]
    assert all(
        lo <= m <= hi
        for lo, m, hi in zip(
            permutation["low"], permutation["mean"], permutation["high"], strict=True
        )
    )

    # Unchanged in the notebook, the program prints the same sections.
    response = api.post(
        "/api/runs", json={"sessionId": session_id, "code": analysis["code"]}, headers=auth
    )
    again = response.json()["data"]
    assert again["error"] is None, again["stdout"][-2000:]
    printed = [{"kind": s.kind, "data": s.data} for s in sections_of(again["stdout"])]
    assert printed == [{"kind": s["kind"], "data": s["data"]} for s in analysis["sections"]]


def test_fallback_counterfactual_and_bias_on_regression(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'explain-advanced')}"}
    frame: pd.DataFrame = load_diabetes(as_frame=True).frame
    frame["sex"] = np.where(frame["sex"] > 0, "f", "m")
    session_id = session_with(api, auth, frame.to_csv(index=False).encode(), "diabetes.csv")
    knn = {
        "steps": ["StandardScaler"],
        "estimator": "KNeighborsRegressor",
        "params": {"n_neighbors": 7},
    }
    options = {
        "model": {"spec": knn},
        "explainer": "tree",
        "depth": "advanced",
        "repeats": 2,
        "row": 3,
        "group_column": "sex",
    }
    analysis = explain(api, auth, session_id, options)
    sections = {s["kind"]: s["data"] for s in analysis["sections"]}
    model = sections["model"]
    # A KNN model has no trees: the tree explainer says so and the agnostic one runs.
    assert model["explainer"] == "kernel" and model["fallback"]["wanted"] == "tree"
    assert model["fallback"]["why"] and model["explained_rows"] == 50
    assert sections["waterfall"]["row"] == 3
    counterfactual = sections["counterfactual"]
    assert counterfactual["tried"] > 0 and counterfactual["found"]
    seen = {c: set(frame[c]) for c in frame.columns}
    for found in counterfactual["found"]:
        for change in found["changes"]:
            assert change["to"] in seen[change["feature"]] or isinstance(change["to"], float)
    bias = sections["bias"]
    assert bias["column"] == "sex" and {g["group"] for g in bias["groups"]} == {"f", "m"}

    # The page says it too, not only the data.
    with httpx.Client(base_url=str(api.base_url), timeout=60) as browser:
        login = browser.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert csrf is not None
        body = {"username": "explain-advanced", "password": PASSWORD, "csrf_token": csrf[1]}
        assert browser.post("/login", data=body).status_code == 303
        page = browser.get(f"/apps/explain?session={session_id}").text
    assert 'data-fallback="kernel"' in page
    assert "The tree explainer could not handle this model" in page

    response = api.post(
        "/api/apps/explain/analyses",
        json={"sessionId": session_id, "options": {"model": {"spec": {"estimator": "Mystery"}}}},
        headers=auth,
    )
    assert response.status_code == 400
    assert "cannot re-create 'Mystery'" in response.json()["error"]["message"]


def trained(estimator: str, params: str) -> str:
    """A notebook run that trains a real model and prints its score (accuracy, or R² for a
    regressor) and pipeline spec."""
    regression = estimator.endswith("Regressor")
    score = "R2" if regression else "ACCURACY"
    metric = "r2_score" if regression else "accuracy_score"
    return f"""
import json
import pandas as pd
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
df = pd.read_csv("/data/uploaded.csv")
X, y = df.drop(columns=["target"]), df["target"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
model = {estimator}({params}).fit(X_train, y_train)
print("PIPELINE: " + json.dumps({{"steps": [], "estimator": "{estimator}",
                                  "params": model.get_params()}}, default=str))
print(f"{score}: {{{metric}(y_test, model.predict(X_test)):.4f}}")
"""


def test_run_choice_level_and_ratings_order(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'explain-chooser')}"}
    frame: pd.DataFrame = load_breast_cancer(as_frame=True).frame
    session_id = session_with(api, auth, frame.to_csv(index=False).encode(), "cancer.csv")
    runs = {}
    for estimator, params in [
        ("KNeighborsClassifier", "n_neighbors=1"),
        ("RandomForestClassifier", "n_estimators=30, max_depth=4, random_state=42"),
    ]:
        response = api.post(
            "/api/runs",
            json={"sessionId": session_id, "code": trained(estimator, params)},
            headers=auth,
        )
        run = response.json()["data"]
        assert run["error"] is None and run["accuracy"] is not None, run["stdout"][-2000:]
        runs[estimator] = run

    # The default is the session's best run, said with why; the level comes from progress.
    choice = api.get(f"/api/apps/explain/choice?session_id={session_id}", headers=auth)
    assert choice.status_code == 200, choice.text
    data = choice.json()["data"]
    best = max(runs.values(), key=lambda r: r["accuracy"])
    assert data["defaultRunId"] == best["id"]
    assert "best accuracy of the session's 2 runs" in data["defaultWhy"]
    assert {r["runId"] for r in data["runs"]} == {r["id"] for r in runs.values()}
    assert data["level"]["level"] == "beginner" and "passed 0 challenge" in data["level"]["why"]

    # No choice: the best run at the learner's level (beginner: one explanation).
    analysis = explain(api, auth, session_id, {"explain_rows": 60})
    model = analysis["sections"][0]["data"]
    assert best["id"][:8] in model["from"] and model["estimator"] == best["pipeline"]["estimator"]
    assert [s["kind"] for s in analysis["sections"]] == ["model", "importance"]

    # The learner picks the other run and switches the depth.
    other = next(r for r in runs.values() if r["id"] != best["id"])
    options = {"run_id": other["id"], "depth": "intermediate", "explain_rows": 60, "repeats": 2}
    analysis = explain(api, auth, session_id, options)
    model = analysis["sections"][0]["data"]
    assert other["id"][:8] in model["from"] and "picked by you" in model["from"]
    assert model["estimator"] == other["pipeline"]["estimator"] and model["depth"] == "intermediate"

    # Ratings order the level's explanations (Beta(1, 1): unrated 1.0, one 👍 1.17, one 👎 0.83).
    def rate(explanation: str, useful: bool) -> list[str]:
        response = api.post(
            f"/api/apps/explain/analyses/{analysis['id']}/ratings",
            json={"explanation": explanation, "useful": useful},
            headers=auth,
        )
        assert response.status_code == 200, response.text
        return [r["explanation"] for r in response.json()["data"]["ranks"]]

    ranking = api.get("/api/apps/explain/ranking?level=intermediate", headers=auth).json()
    assert [r["explanation"] for r in ranking["data"]["ranks"]] == [
        "importance",
        "beeswarm",
        "waterfall",
        "permutation",
    ]
    rate("permutation", True)
    assert rate("importance", False) == ["permutation", "beeswarm", "waterfall", "importance"]
    # Rating again replaces the learner's rating: the latest counts, ties keep the program's order.
    assert rate("importance", True) == ["importance", "permutation", "beeswarm", "waterfall"]
    ranking = api.get("/api/apps/explain/ranking?level=beginner", headers=auth).json()
    assert ranking["data"]["ranks"][0]["useful"] == 0, "ratings count per level"

    response = api.post(
        f"/api/apps/explain/analyses/{analysis['id']}/ratings",
        json={"explanation": "bias", "useful": True},
        headers=auth,
    )
    assert response.status_code == 400 and "no explanation 'bias'" in response.text
    response = api.post(
        "/api/apps/explain/analyses",
        json={"sessionId": session_id, "options": {"run_id": "not-a-run"}},
        headers=auth,
    )
    assert response.status_code == 404
