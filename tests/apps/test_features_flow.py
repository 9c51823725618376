"""The Feature Engineering Playground end to end: through the gateway, the apps service and the
real sandbox on real data (scikit-learn's wine dataset with a leak and a category added)."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score

from services.common.report_sections import sections_of
from tests.apps.conftest import completed_analysis, register
from tests.apps.test_explorer_flow import by_kind, session_with, wine_csv


def analyse(
    api: httpx.Client, auth: dict[str, str], session_id: str, options: dict[str, Any]
) -> dict[str, Any]:
    return completed_analysis(api, auth, "features", session_id, options)


def test_features_end_to_end_whatif_and_reproduced_in_the_notebook(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'features-learner')}"}
    content, frame = wine_csv()
    session_id = session_with(api, auth, content, "wine.csv")

    first = analyse(api, auth, session_id, {})
    sections = by_kind(first["sections"])
    assert list(sections) == [
        "overview",
        "whatif",
        "suggestions",
        "leakage",
        "trials",
        "importance",
        "pipeline",
    ]
    assert sections["overview"]["types"]["bottle_id"] == "id"
    # Suggestions come from the profile, each with a before/after preview.
    suggested = {s["key"]: s for s in sections["suggestions"]["suggestions"]}
    assert {"drop:bottle_id", "onehot:region"} <= set(suggested)
    onehot = suggested["onehot:region"]["preview"]
    assert onehot["before"] == frame["region"].head(5).tolist()
    assert onehot["width"] == 3 and all(sum(row) == 1.0 for row in onehot["after"])
    assert any(k.startswith("interaction:") for k in suggested)
    # The leak: 'grade' is a re-coding of the target.
    leaks = {leak["column"]: leak["kind"] for leak in sections["leakage"]["leaks"]}
    assert leaks == {"grade": "near_copy"}
    assert sections["leakage"]["single_feature"][0]["column"] == "grade"
    assert sections["trials"]["trials"], "suggestions measured one by one"

    # What if I drop the leak and log-transform proline? The same folds, for real.
    variant = analyse(
        api, auth, session_id, {"drop": ["grade", "bottle_id"], "transforms": {"proline": "log"}}
    )
    whatif = by_kind(variant["sections"])["whatif"]
    assert whatif["changes"] == [
        {"column": "grade", "transform": "drop"},
        {"column": "bottle_id", "transform": "drop"},
        {"column": "proline", "transform": "log"},
    ]
    assert whatif["baseline"] == sections["whatif"]["baseline"]
    assert whatif["variant"]["std"] >= 0 and len(whatif["variant"]["folds"]) == 3
    assert abs(whatif["delta"] - (whatif["variant"]["mean"] - whatif["baseline"]["mean"])) < 1e-5

    # The exported Pipeline, run here on the same folds, gives the variant's score.
    pipeline = by_kind(variant["sections"])["pipeline"]
    namespace: dict[str, Any] = {}
    exec(pipeline["code"], namespace)  # the platform's own generated code, in the test
    X, y = frame.drop(columns=["target"]), frame["target"]
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    scores = cross_val_score(namespace["pipeline"], X, y, cv=folds, scoring="accuracy")
    assert abs(float(np.mean(scores)) - whatif["variant"]["mean"]) < 1e-5
    assert "('log'" in pipeline["code"] and "'grade'" not in pipeline["code"]
    importance = by_kind(variant["sections"])["importance"]["ranking"]
    assert {r["column"] for r in importance} == set(X.columns) - {"grade", "bottle_id"}

    # The program, run unchanged in the notebook, prints the same numbers.
    response = api.post(
        "/api/runs", json={"sessionId": session_id, "code": variant["code"]}, headers=auth
    )
    assert response.status_code == 201, response.text
    run = response.json()["data"]
    assert run["error"] is None, run["stdout"][-2000:]
    again = {s.kind: s.data for s in sections_of(run["stdout"])}
    for kind in ("overview", "whatif", "leakage", "trials", "importance", "pipeline"):
        assert again[kind] == by_kind(variant["sections"])[kind], kind
    assert sorted(s["key"] for s in again["suggestions"]["suggestions"]) == sorted(suggested)

    # Both analyses are on the session's Runs board, marked with their app.
    runs = api.get(f"/api/runs/{session_id}", headers=auth).json()["data"]
    assert {r["id"] for r in runs if r["appSlug"] == "features"} == {
        first["runId"],
        variant["runId"],
    }


def test_features_bad_input_says_what_is_wrong(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'features-bad')}"}
    rows = "\n".join(f"{i},{i * 3 % 11},same" for i in range(60))
    session_id = session_with(api, auth, ("a,b,y\n" + rows + "\n").encode(), "constant.csv")
    analysis = analyse(api, auth, session_id, {})
    problems = by_kind(analysis["sections"])["problems"]
    assert problems["blocking"] is True
    assert [p["key"] for p in problems["problems"]] == ["target_constant"]
    assert "at least two" in problems["problems"][0]["what_would_work"]
    assert "whatif" not in by_kind(analysis["sections"])

    response = api.post(
        "/api/apps/features/analyses",
        json={"sessionId": session_id, "options": {"transforms": {"a": "explode"}}},
        headers=auth,
    )
    assert response.status_code == 400, response.text
    assert "not a transformation" in response.json()["error"]["message"]
