"""The Data Explorer end to end: through the gateway, the apps service and the real sandbox on
real data (scikit-learn's bundled wine dataset with gaps, an ID column and a leak added)."""

from __future__ import annotations

import json
from typing import Any

import grpc
import httpx
import numpy as np
import pandas as pd
from ascent.analytics.v1 import analytics_service_pb2 as analytics_pb
from ascent.analytics.v1 import analytics_service_pb2_grpc as analytics_grpc
from ascent.recommender.v1 import recommender_service_pb2 as recommender_pb
from ascent.recommender.v1 import recommender_service_pb2_grpc as recommender_grpc
from sklearn.datasets import load_wine

from services.common.report_sections import sections_of
from services.supervisor.stack import Stack
from tests.apps.conftest import register
from tests.support.polling import eventually


def wine_csv() -> tuple[bytes, pd.DataFrame]:
    frame = load_wine(as_frame=True).frame
    rng = np.random.default_rng(7)
    frame.loc[rng.choice(len(frame), 20, replace=False), "ash"] = np.nan
    frame.insert(0, "bottle_id", range(1000, 1000 + len(frame)))
    frame["region"] = rng.choice(["north", "south", "east"], len(frame))
    frame["grade"] = frame["target"] * 2 + 1  # known only after the outcome: a leak
    cols = [c for c in frame.columns if c != "target"] + ["target"]
    frame = frame[cols]
    return frame.to_csv(index=False).encode(), frame


def session_with(api: httpx.Client, auth: dict[str, str], content: bytes, name: str) -> str:
    session = api.post("/api/sessions", json={}, headers=auth).json()["data"]
    response = api.post(
        f"/api/sessions/{session['id']}/dataset",
        files={"file": (name, content, "text/csv")},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    return str(session["id"])


def by_kind(sections: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["kind"]: s["data"] for s in sections}


def test_explorer_end_to_end_and_reproduced_in_the_notebook(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'explorer-learner')}"}
    content, frame = wine_csv()
    session_id = session_with(api, auth, content, "wine.csv")

    response = api.post("/api/apps/explorer/analyses", json={"sessionId": session_id}, headers=auth)
    assert response.status_code == 201, response.text
    analysis = response.json()["data"]
    assert analysis["status"] == "completed", analysis
    sections = by_kind(analysis["sections"])
    assert list(sections) == [
        "overview",
        "columns",
        "missing",
        "correlations",
        "scatter",
        "anomalies",
        "quality",
    ]

    # The numbers are those of the data, computed independently here.
    overview = sections["overview"]
    assert (overview["rows"], overview["columns"]) == frame.shape
    assert overview["target"] == "target" and overview["task_type"] == "classification"
    assert overview["missing_cells"] == 20 and overview["sampled"] is False
    types = {c["name"]: c["type"] for c in sections["columns"]["columns"]}
    assert types["bottle_id"] == "id" and types["alcohol"] == "numeric"
    assert types["region"] == "categorical"
    missing = {c["name"]: c["missing"] for c in sections["missing"]["per_column"]}
    assert missing["ash"] == 20 and missing["alcohol"] == 0
    corr = sections["correlations"]
    i, j = corr["numeric"].index("alcohol"), corr["numeric"].index("proline")
    expected = frame["alcohol"].corr(frame["proline"])
    assert abs(corr["pearson"][i][j] - expected) < 1e-5
    spearman = frame["alcohol"].corr(frame["proline"], method="spearman")
    assert abs(corr["spearman"][i][j] - spearman) < 1e-5
    assert corr["with_target"][0]["name"] == "grade", "the leak is the strongest association"
    assert sections["anomalies"]["flagged"], "IsolationForest flags the most unusual rows"
    assert all(len(f["because"]) == 3 for f in sections["anomalies"]["flagged"])
    quality = sections["quality"]
    kinds = {r["kind"] for r in quality["recommendations"]}
    assert {"drop_id", "impute", "encode", "leak"} <= kinds
    assert 0 <= quality["score"] < 100
    assert quality["recommendations"][0]["kind"] == "leak", "the most severe issue first"

    # Stored: shown again on return.
    latest = api.get(
        "/api/apps/explorer/analyses/latest", params={"session_id": session_id}, headers=auth
    ).json()["data"]
    assert latest["id"] == analysis["id"] and by_kind(latest["sections"]) == sections

    # On the session's Runs board, marked with its app.
    runs = api.get(f"/api/runs/{session_id}", headers=auth).json()["data"]
    assert [(r["id"], r["appSlug"]) for r in runs] == [(analysis["runId"], "explorer")]

    # The exact program, run unchanged in the notebook, prints the same numbers.
    response = api.post(
        "/api/runs", json={"sessionId": session_id, "code": analysis["code"]}, headers=auth
    )
    assert response.status_code == 201, response.text
    notebook_run = response.json()["data"]
    assert notebook_run["error"] is None, notebook_run
    assert notebook_run["appSlug"] == ""
    again = {s.kind: s.data for s in sections_of(notebook_run["stdout"])}
    for kind in ("overview", "columns", "missing", "correlations", "scatter", "anomalies"):
        assert again[kind] == sections[kind], kind
    assert again["quality"]["score"] == quality["score"]
    assert sorted(r["key"] for r in again["quality"]["recommendations"]) == sorted(
        r["key"] for r in quality["recommendations"]
    )

    # Applying a recommendation puts its code into the notebook, after read_csv.
    leak = next(r for r in quality["recommendations"] if r["kind"] == "leak")
    response = api.post(
        f"/api/apps/explorer/analyses/{analysis['id']}/suggestions",
        json={"key": leak["key"], "verdict": "applied", "insert": True},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["inserted"] is True
    code = api.get(f"/api/sessions/{session_id}", headers=auth).json()["data"]["code"]
    assert leak["code"] in code
    assert code.index("read_csv(") < code.index(leak["code"])


def test_large_data_is_profiled_on_a_stated_sample(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'explorer-sampler')}"}
    content, _ = wine_csv()
    session_id = session_with(api, auth, content, "wine.csv")
    response = api.post(
        "/api/apps/explorer/analyses",
        json={"sessionId": session_id, "options": {"sample_rows": 100}},
        headers=auth,
    )
    analysis = response.json()["data"]
    overview = by_kind(analysis["sections"])["overview"]
    assert (overview["rows"], overview["profiled_rows"], overview["sampled"]) == (178, 100, True)
    assert "SAMPLE_ROWS = 100" in analysis["code"]


def test_open_in_notebook_makes_a_session_with_the_program(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'explorer-opener')}"}
    content, _ = wine_csv()
    session_id = session_with(api, auth, content, "wine.csv")
    analysis = api.post(
        "/api/apps/explorer/analyses", json={"sessionId": session_id}, headers=auth
    ).json()["data"]
    response = api.post(f"/api/apps/explorer/analyses/{analysis['id']}/notebook", headers=auth)
    assert response.status_code == 201, response.text
    opened = api.get(f"/api/sessions/{response.json()['data']['sessionId']}", headers=auth)
    data = opened.json()["data"]
    assert data["code"] == analysis["code"]
    assert data["dataset"]["filename"] == "wine.csv"


def bad(api: httpx.Client, auth: dict[str, str], csv: str, name: str) -> dict[str, Any]:
    session_id = session_with(api, auth, csv.encode(), name)
    response = api.post("/api/apps/explorer/analyses", json={"sessionId": session_id}, headers=auth)
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


def test_bad_input_says_what_is_wrong_and_what_would_work(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'explorer-bad')}"}
    few = bad(api, auth, "a,b,y\n1,2,0\n3,4,1\n5,6,0\n", "few.csv")
    problems = by_kind(few["sections"])["problems"]
    assert problems["blocking"] is True
    assert problems["problems"][0]["key"] == "few_rows"
    assert "at least" in problems["problems"][0]["what_would_work"]
    assert "quality" not in by_kind(few["sections"])

    rows = "\n".join(f"{i},{i * 2 % 7},same" for i in range(60))
    constant = bad(api, auth, "a,b,y\n" + rows + "\n", "constant.csv")
    sections = by_kind(constant["sections"])
    assert sections["problems"]["problems"][0]["key"] == "target_constant"
    assert sections["problems"]["blocking"] is False
    assert "quality" in sections, "the rest of the profile still runs without a target"

    # Short phrases that never repeat: free text, not categories — and not a target.
    phrases = "\n".join(f"some words {i} here,another sentence number {i}" for i in range(60))
    text = by_kind(bad(api, auth, "note,comment\n" + phrases + "\n", "text.csv")["sections"])
    keys = [p["key"] for p in text["problems"]["problems"]]
    assert keys == ["text_only", "target_text"], keys
    assert text["problems"]["blocking"] is True
    assert "TF-IDF" in text["problems"]["problems"][0]["what_would_work"]


def test_events_reach_analytics_and_the_recommender(api: httpx.Client, stack: Stack) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'explorer-counted')}"}
    content, _ = wine_csv()
    session_id = session_with(api, auth, content, "wine.csv")
    analysis = api.post(
        "/api/apps/explorer/analyses", json={"sessionId": session_id}, headers=auth
    ).json()["data"]
    quality = by_kind(analysis["sections"])["quality"]
    hood = quality["neighbourhood"]
    dismissed = quality["recommendations"][0]
    response = api.post(
        f"/api/apps/explorer/analyses/{analysis['id']}/suggestions",
        json={"key": dismissed["key"], "verdict": "dismissed"},
        headers=auth,
    )
    assert response.status_code == 200, response.text

    # The recommender's knowledge base learns the shown and dismissed recommendation.
    def learnt() -> recommender_pb.KindEvidence | None:
        with grpc.insecure_channel(stack.addr("recommender")) as channel:
            reply = recommender_grpc.RecommenderServiceStub(channel).AppEvidence(
                recommender_pb.AppEvidenceRequest(app_slug="explorer", neighbourhood=hood),
                timeout=5,
            )
        kind = next((k for k in reply.kinds if k.kind == dismissed["kind"]), None)
        return kind if kind is not None and kind.dismissed >= 1 else None

    kind = eventually(learnt, timeout=30, what="the recommender records the dismissal")
    assert kind.shown >= 1
    # Another learner's explorer on the same kind of data ranks by it, and says how much.
    other = {"Authorization": f"Bearer {register(api, 'explorer-next')}"}
    second_session = session_with(api, other, content, "wine-copy.csv")
    second = api.post(
        "/api/apps/explorer/analyses", json={"sessionId": second_session}, headers=other
    ).json()["data"]
    ranked = by_kind(second["sections"])["quality"]["recommendations"]
    again = next(r for r in ranked if r["kind"] == dismissed["kind"])
    assert again["evidence"].startswith("on similar datasets: shown")
    assert again["rank_weight"] < 1.0, "a dismissed kind weighs less"

    def counted() -> dict[str, int] | None:
        with grpc.insecure_channel(stack.addr("analytics")) as channel:
            reply = analytics_grpc.AnalyticsServiceStub(channel).GetEventCounts(
                analytics_pb.GetEventCountsRequest(), timeout=5
            )
        counts = {c.subject: c.count for c in reply.counts}
        return counts if counts.get("apps.analysis.completed.v1", 0) >= 1 else None

    counts = eventually(counted, timeout=30, what="analytics counts the app's events")
    assert counts["apps.analysis.started.v1"] >= 1


def wide_csv(rows: int = 10_000) -> bytes:
    """10,000 rows × 30 columns: numbers, categories, gaps, an ID and a label."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(rows, 24)), columns=[f"x{i}" for i in range(24)])
    for i in range(4):
        frame[f"cat{i}"] = rng.choice(list("abcdef"), rows)
    frame.loc[rng.choice(rows, rows // 20, replace=False), "x3"] = np.nan
    frame["row_id"] = range(rows)
    frame["label"] = (frame.x0 + frame.x1 > 0).astype(int)
    return frame.to_csv(index=False).encode()


def stream_events(
    api: httpx.Client, auth: dict[str, str], session_id: str, on_started: Any = None
) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []
    with api.stream(
        "POST",
        "/api/apps/explorer/analyses/stream",
        json={"sessionId": session_id},
        headers=auth,
    ) as response:
        assert response.status_code == 200
        event = ""
        for text in response.iter_lines():
            if text.startswith("event:"):
                event = text[6:].strip()
            elif text.startswith("data:"):
                data = json.loads(text[5:])
                seen.append((event, data))
                if event == "started" and on_started is not None:
                    on_started(data)
    return seen


def test_streamed_then_cancelled_leaves_no_half_result(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'explorer-stopper')}"}
    session_id = session_with(api, auth, wide_csv(), "wide.csv")

    # Streamed: progress and sections arrive before the result.
    seen = stream_events(api, auth, session_id)
    kinds = [kind for kind, _ in seen]
    assert kinds[0] == "started" and kinds[-1] == "result"
    assert "progress" in kinds and kinds.index("section") < kinds.index("result")
    first = next(data for kind, data in seen if kind == "section")
    assert first["kind"] == "overview" and first["data"]["rows"] == 10_000
    assert seen[-1][1]["status"] == "completed"

    # Stopped as soon as it started: cancelled, and nothing of it kept.
    def cancel(started: dict[str, Any]) -> None:
        response = api.post(
            f"/api/apps/explorer/analyses/{started['analysisId']}/cancel", headers=auth
        )
        assert response.status_code == 200 and response.json()["data"]["found"] is True

    stopped = stream_events(api, auth, session_id, on_started=cancel)
    result = stopped[-1][1]
    assert stopped[-1][0] == "result" and result["status"] == "cancelled", result
    assert result["sections"] == []
    latest = api.get(
        "/api/apps/explorer/analyses/latest", params={"session_id": session_id}, headers=auth
    ).json()["data"]
    assert latest["id"] == result["id"]
    assert latest["status"] == "cancelled" and latest["sections"] == []
