"""The seed's demo flow (success criteria 1-9) through the REST API, every service real."""

from __future__ import annotations

import io
import uuid
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_circles

from services.supervisor.stack import Stack
from tests.integration.conftest import register
from tests.support.polling import eventually

pytestmark = pytest.mark.integration


def circles_csv() -> bytes:
    """Concentric circles: a linear model is near chance, a tree ensemble is near perfect."""
    features, target = make_circles(n_samples=400, noise=0.08, factor=0.5, random_state=0)
    frame = pd.DataFrame(features, columns=["x1", "x2"])
    frame["label"] = np.where(target == 1, "inner", "outer")
    return frame.to_csv(index=False).encode()


def test_demo_flow(api: httpx.Client, stack: Stack) -> None:
    token = register(api, f"learner-{uuid.uuid4().hex[:8]}")
    auth = {"Authorization": f"Bearer {token}"}

    # 1. A new session starts with the starter code.
    response = api.post("/api/sessions", json={}, headers=auth)
    assert response.status_code == 201, response.text
    session = response.json()["data"]
    assert "ACCURACY" in session["code"]
    assert "load_iris" in session["code"]

    # 2. Run it: output and metrics (Iris, LogisticRegression).
    response = api.post(
        "/api/runs", json={"sessionId": session["id"], "code": session["code"]}, headers=auth
    )
    assert response.status_code == 201, response.text
    baseline = response.json()["data"]
    assert baseline["error"] is None, baseline
    assert baseline["modelType"] == "LogisticRegression"
    assert 0.9 <= baseline["accuracy"] <= 1.0
    assert baseline["datasetInfo"]["rows"] == 150
    assert len(baseline["confusionMatrix"]) == 3
    assert "CLASSIFICATION_REPORT" in baseline["stdout"]

    # 4. The leaderboard shows the baseline run.
    runs = api.get(f"/api/runs/{session['id']}", headers=auth).json()["data"]
    assert [r["id"] for r in runs] == [baseline["id"]]

    # 5. Upload a CSV, run again on it.
    response = api.post(
        f"/api/sessions/{session['id']}/dataset",
        files={"file": ("circles.csv", circles_csv(), "text/csv")},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["rows"] == 400
    response = api.post(
        "/api/runs",
        json={"sessionId": session["id"], "code": session["code"], "name": "Circles baseline"},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    on_csv = response.json()["data"]
    assert on_csv["error"] is None, on_csv
    assert on_csv["datasetInfo"]["rows"] == 400, "the run must read the uploaded CSV"
    assert on_csv["accuracy"] < 0.8, "a linear model cannot separate circles"

    # 6-8. Improve with AI: diagnosis, suggestions, the improved run is better and on top.
    response = api.post(
        "/api/ai/improve", json={"sessionId": session["id"], "runId": on_csv["id"]}, headers=auth
    )
    assert response.status_code == 200, response.text
    improved = response.json()["data"]
    assert improved["diagnosis"]
    assert 2 <= len(improved["suggestions"]) <= 3
    assert improved["improvedExperiment"]["name"]
    improved_run = improved["improvedRun"]
    assert improved_run["isImproved"] is True
    assert improved_run["parentRunId"] == on_csv["id"]
    assert improved_run["error"] is None, improved_run
    assert improved_run["accuracy"] > on_csv["accuracy"] + 0.1

    # 9. The session shows all runs, best first within each dataset (runs on other data are
    # ranked apart), with the improved run above its parent: #1 on the CSV.
    session_view = api.get(f"/api/sessions/{session['id']}", headers=auth).json()["data"]
    ordered = [r["id"] for r in session_view["runs"]]
    assert set(ordered) == {baseline["id"], on_csv["id"], improved_run["id"]}
    assert ordered.index(improved_run["id"]) < ordered.index(on_csv["id"])
    for dataset in {r["datasetSha256"] for r in session_view["runs"]}:
        accuracies = [r["accuracy"] for r in session_view["runs"] if r["datasetSha256"] == dataset]
        assert accuracies == sorted(accuracies, reverse=True)
    ranks = {r["id"]: (r["datasetName"], r["datasetRank"]) for r in session_view["runs"]}
    assert ranks[improved_run["id"]] == ("circles.csv", 1)
    assert ranks[on_csv["id"]] == ("circles.csv", 2)
    assert ranks[baseline["id"]] == ("Iris (no CSV)", 1)

    # Socratic mode: questions and hints first, nothing run; the answer (and its run) only
    # when asked for.
    before = len(api.get(f"/api/runs/{session['id']}", headers=auth).json()["data"])
    response = api.post(
        "/api/ai/improve",
        json={"sessionId": session["id"], "runId": on_csv["id"], "mode": "socratic"},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    socratic = response.json()["data"]
    assert socratic["mode"] == "socratic" and socratic["answerPending"] is True
    kinds = [step["kind"] for step in socratic["steps"]]
    assert "answer" not in kinds and {"question", "hint"} <= set(kinds)
    assert socratic["improvedRun"] is None and not socratic["improvedExperiment"]["code"]
    assert len(api.get(f"/api/runs/{session['id']}", headers=auth).json()["data"]) == before
    response = api.post(
        f"/api/ai/proposals/{socratic['proposalId']}/answer",
        json={"sessionId": session["id"]},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    answered = response.json()["data"]
    assert [step["kind"] for step in answered["steps"]][-1] == "answer"
    assert answered["improvedRun"]["isImproved"] is True
    assert answered["improvedExperiment"]["code"]
    assert len(api.get(f"/api/runs/{session['id']}", headers=auth).json()["data"]) == before + 1
    bad = api.post("/api/ai/improve", json={"sessionId": session["id"], "rounds": 9}, headers=auth)
    assert 400 <= bad.status_code < 500, bad.text

    # Progress: XP for the runs and the first-run badge, computed from events.
    def progress_ready() -> dict[str, Any] | None:
        data = api.get("/api/me/progress", headers=auth).json()["data"]
        return data if data["runs"] >= 3 else None

    progress = eventually(progress_ready)
    assert progress["xp"] > 0
    assert "first-run" in [b["slug"] for b in progress["badges"]]

    health = api.get("/healthz").json()["data"]
    assert health["status"] == "ok", health


def test_bad_input_is_rejected_cleanly(api: httpx.Client) -> None:
    token = register(api, f"learner-{uuid.uuid4().hex[:8]}")
    auth = {"Authorization": f"Bearer {token}"}
    other = {"Authorization": f"Bearer {register(api, f'other-{uuid.uuid4().hex[:8]}')}"}
    session = api.post("/api/sessions", json={}, headers=auth).json()["data"]

    wrong = api.post("/api/auth/token", json={"username": "nobody", "password": "x" * 10})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "unauthenticated"
    assert api.post("/api/sessions", json={}).status_code == 401
    assert (
        api.post("/api/sessions", json={}, headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    assert api.get(f"/api/sessions/{session['id']}", headers=other).status_code == 404
    bad_json = api.post(
        "/api/runs", content=b"{not json", headers={**auth, "Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400
    assert "error" in bad_json.json()
    unknown = api.post(
        "/api/runs",
        json={"sessionId": session["id"], "code": "print(1)", "bogus": 1},
        headers=auth,
    )
    assert unknown.status_code in (400, 422)
    assert "error" in unknown.json()

    raising = api.post(
        "/api/runs",
        json={"sessionId": session["id"], "code": "def f():\n    return 1 / 0\nf()\n"},
        headers=auth,
    ).json()["data"]
    assert raising["error"]
    assert "ZeroDivisionError" in raising["error"]
    assert "sandbox" not in raising["error"].lower()

    endless = api.post(
        "/api/runs",
        json={"sessionId": session["id"], "code": "while True:\n    pass\n"},
        headers=auth,
    ).json()["data"]
    assert endless["error"]
    assert "time" in endless["error"].lower()

    not_csv = api.post(
        f"/api/sessions/{session['id']}/dataset",
        files={"file": ("pic.png", io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00binary"), "image/png")},
        headers=auth,
    )
    assert not_csv.status_code == 400
    assert not_csv.json()["error"]["message"]
    assert api.get(f"/api/sessions/{session['id']}", headers=auth).json()["data"]["dataset"] is None
