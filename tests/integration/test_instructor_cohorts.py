"""Cohorts and analytics through the whole stack: an instructor creates a cohort, a learner
joins and solves the assigned challenge; the cohort dashboard (fed only by NATS events),
its CSV export, the cohort leaderboard and the admin platform view all show it.

The stack is shared by the package, and test_curriculum_flow.py expects the first
challenge's board to start empty: this file sorts after it, and everything it checks is
filtered to its own cohort, so it also holds with others' entries on the board."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.common.curriculum import load_catalog
from services.execution.config import default_curriculum_dir
from services.supervisor.stack import Stack
from tests.integration.conftest import ADMIN, INSTRUCTORS, register
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

FIRST = load_catalog(default_curriculum_dir()).tracks[0].challenges[0]


def login(api: httpx.Client, username: str) -> dict[str, str]:
    """Registers (or, when already registered in this stack, logs in) and returns headers."""
    password = "correct horse 42"
    response = api.post("/api/auth/register", json={"username": username, "password": password})
    assert response.status_code in (201, 409), response.text
    token = api.post("/api/auth/token", json={"username": username, "password": password})
    return {"Authorization": f"Bearer {token.json()['data']['token']}"}


def test_cohort_dashboard_end_to_end(api: httpx.Client, stack: Stack) -> None:
    teacher = login(api, INSTRUCTORS[0])
    other_teacher = login(api, INSTRUCTORS[1])
    admin = login(api, ADMIN)
    learner_name = f"cora{uuid.uuid4().hex[:6]}"
    learner = {"Authorization": f"Bearer {register(api, learner_name)}"}

    created = api.post("/api/cohorts", json={"name": f"Class {learner_name}"}, headers=teacher)
    assert created.status_code == 201, created.text
    cohort = created.json()["data"]
    joined = api.post("/api/cohorts/join", json={"code": cohort["joinCode"]}, headers=learner)
    assert joined.status_code == 200, joined.text
    due = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%d")
    assigned = api.post(
        f"/api/cohorts/{cohort['id']}/assignments",
        json={"challenge": FIRST.slug, "dueAt": due},
        headers=teacher,
    )
    assert assigned.status_code == 201, assigned.text
    assert assigned.json()["data"]["title"] == FIRST.title
    missing = api.post(
        f"/api/cohorts/{cohort['id']}/assignments",
        json={"challenge": "no-such-challenge", "dueAt": due},
        headers=teacher,
    )
    assert missing.status_code == 404

    view = api.get(f"/api/cohorts/{cohort['id']}", headers=learner).json()["data"]
    assert [(a["challenge"], a["done"]) for a in view["assignments"]] == [(FIRST.slug, False)]

    # A crash first (an error type for the dashboard), then the reference solution.
    crash = api.post(
        f"/api/challenges/{FIRST.slug}/submissions",
        json={"code": "raise KeyError('target')"},
        headers=learner,
    )
    assert crash.status_code == 422
    solved = api.post(
        f"/api/challenges/{FIRST.slug}/submissions",
        json={"code": FIRST.solution},
        headers=learner,
    )
    assert solved.status_code == 201 and solved.json()["data"]["passed"], solved.text

    params = {"cohort": cohort["id"]}

    def dashboard() -> dict[str, Any] | None:
        response = api.get("/api/analytics/dashboard", params=params, headers=teacher)
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        rows = {c["challenge"]: c for c in data["challenges"]}
        row = rows.get(FIRST.slug)
        return data if row and row["runs"] == 2 and row["learnersPassed"] == 1 else None

    data = eventually(dashboard)
    assert data["cohort"] == {"id": cohort["id"], "name": cohort["name"]}
    assert data["learners"] == 1
    (row,) = data["challenges"]
    assert (row["title"], row["graded"], row["passing"], row["passRate"]) == (
        FIRST.title,
        1,
        1,
        1.0,
    )
    assert row["medianAttemptsToPass"] == 1 and row["medianSecondsToPass"] == 0
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert data["activity"] == [{"day": today, "activeLearners": 1, "runs": 2}]
    assert data["errors"] == [{"type": "KeyError", "count": 1}]
    step = next(f for f in data["funnel"] if f["challenge"] == FIRST.slug)
    assert (step["trackTitle"], step["attempted"], step["passed"]) == ("Beginner", 1, 1)
    assert data["funnel"][0]["challenge"] == FIRST.slug, "funnel follows the track order"
    # Another day range is empty; dates are the events' own.
    yesterday = api.get(
        "/api/analytics/dashboard", params={**params, "to": "2020-01-01"}, headers=teacher
    ).json()["data"]
    assert yesterday["activity"] == [] and yesterday["challenges"] == []

    exported = api.get("/api/analytics/dashboard/challenges.csv", params=params, headers=teacher)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["challenge"], r["runs"], r["learnersPassed"]) for r in rows] == [
        (FIRST.slug, "2", "1")
    ]
    same = api.get(
        "/api/analytics/dashboard",
        params={**params, "format": "csv", "table": "activity"},
        headers=teacher,
    )
    assert same.text.splitlines() == ["day,activeLearners,runs", f"{today},1,2"]

    # Role checks on the real stack.
    assert api.get("/api/analytics/dashboard", params=params, headers=learner).status_code == 403
    assert (
        api.get("/api/analytics/dashboard", params=params, headers=other_teacher).status_code == 403
    )
    assert api.get("/api/analytics/platform", headers=teacher).status_code == 403

    # The cohort board lists the learner (only members; ranked within the cohort).
    board = api.get(
        f"/api/cohorts/{cohort['id']}/leaderboard/{FIRST.slug}", headers=learner
    ).json()["data"]
    assert [(e["rank"], e["name"], e["isYou"]) for e in board["entries"]] == [
        (1, learner_name, True)
    ]
    done = eventually(
        lambda: api.get(f"/api/cohorts/{cohort['id']}", headers=learner).json()["data"][
            "assignments"
        ][0]["done"]
    )
    assert done is True
    staff = api.get(f"/api/cohorts/{cohort['id']}", headers=teacher).json()["data"]
    assert staff["assignments"][0]["doneCount"] == 1
    assert [m["name"] for m in staff["members"]] == [learner_name]

    # Admin: throughput per subject/producer and the lag of every service's consumer.
    platform = api.get("/api/analytics/platform", params={"window": 60}, headers=admin)
    assert platform.status_code == 200, platform.text
    view = platform.json()["data"]
    subjects = {(t["subject"], t["producer"]) for t in view["throughput"]}
    assert ("learning.run.completed.v1", "execution") in subjects
    assert ("gateway.cohort.created.v1", "gateway") in subjects
    durables = {c["durable"] for c in view["consumers"]}
    assert {
        "analytics-all",
        "leaderboard-runs",
        "progress-runs",
        "progress-ranks",
        "recommender-runs",
        "recommender-feedback",
    } <= durables
    assert view["lagError"] is None
    consumers_csv = api.get("/api/analytics/platform/consumers.csv", headers=admin)
    assert consumers_csv.text.startswith("durable,filterSubject,numPending")
    # Admins see every cohort's dashboard, and all learners at once.
    assert api.get("/api/analytics/dashboard", params=params, headers=admin).status_code == 200
    assert api.get("/api/analytics/dashboard", headers=admin).status_code == 200
