"""The AutoML Trainer end to end: the recommender's suggestions on the page before Start,
a warm-started search through the gateway, the apps service and the real sandbox on
scikit-learn's breast-cancer data within its budget, every trial recorded by the recommender
(exactly once), and the winner's code reproducing its test score in the notebook."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from services.recommender import trust
from services.supervisor.stack import Stack
from tests.apps.conftest import register
from tests.apps.test_explorer_flow import session_with
from tests.apps.test_training_flow import cancer_csv
from tests.support.polling import eventually

BUDGET = 20


def suggestions(api: httpx.Client, auth: dict[str, str], session_id: str) -> dict[str, Any]:
    response = api.get(f"/api/apps/automl/suggestions?session_id={session_id}", headers=auth)
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def by_kind(sections: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [s["data"] for s in sections if s["kind"] == kind]


def observations(stack: Stack, analysis_id: str) -> tuple[int, int]:
    """The recommender's knowledge-base rows of this search, and all the rows of its learner on
    its dataset, read from wherever the stack put its database (its own PostgreSQL schema
    under TEST_DATABASE_URL, else its SQLite file)."""
    url = stack.config.extra_env.get(
        "ASCENT_RECOMMENDER_DATABASE_URL", f"sqlite:///{stack.config.data_dir / 'recommender.db'}"
    )
    engine = create_engine(url)
    key = {"key": f"automl:{analysis_id}:%"}
    try:
        with engine.connect() as connection:
            search = connection.execute(
                text("SELECT COUNT(*) FROM recommender_observations WHERE run_id LIKE :key"), key
            ).scalar_one()
            learner = connection.execute(
                text(
                    "SELECT COUNT(*) FROM recommender_observations o, (SELECT owner_id, "
                    "dataset_key FROM recommender_observations WHERE run_id LIKE :key LIMIT 1) s "
                    "WHERE o.owner_id = s.owner_id AND o.dataset_key = s.dataset_key"
                ),
                key,
            ).scalar_one()
    finally:
        engine.dispose()
    return int(search), int(learner)


def test_automl_warm_search_within_budget_fed_back_and_reproduced(
    api: httpx.Client, stack: Stack
) -> None:
    token = register(api, "automl-learner")
    auth = {"Authorization": f"Bearer {token}"}
    session_id = session_with(api, auth, cancer_csv(), "cancer.csv")

    # Before Start: what the recommender expects to win, and why.
    shown = suggestions(api, auth, session_id)
    specs = json.loads(shown["specs_json"])
    assert specs and all("estimator" in s for s in specs)
    assert shown["pipelines"][0]["rationale"], "each suggestion says why"
    assert shown["meta"]["rows"] == 569

    options = {"budget_seconds": BUDGET, "search": "random", "warm_start": specs}
    started = time.monotonic()
    response = api.post(
        "/api/apps/automl/analyses",
        json={"sessionId": session_id, "options": options},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    analysis = response.json()["data"]
    assert analysis["status"] == "completed", analysis
    assert time.monotonic() - started < BUDGET + 40
    sections = analysis["sections"]
    overview = by_kind(sections, "overview")[0]
    assert overview["task_type"] == "classification" and overview["budget_seconds"] == BUDGET
    warm = overview["warm_start"]
    assert warm, "the recommended pipelines are the first trials"
    trials = by_kind(sections, "trial")
    assert len(trials) >= 2
    assert trials[0]["warm"] == warm[0]["key"], "the first trial is the top recommendation"
    # The best-so-far line never goes down; every trial says what it cost.
    bests = [t["best"] for t in trials]
    assert bests == sorted(bests)
    assert all(t["seconds"] > 0 and t["cpu_seconds"] >= 0 for t in trials)
    winner = by_kind(sections, "winner")[0]
    assert winner["cv_score"] == max(t["score"] for t in trials)
    assert winner["cv_score"] > winner["baseline"] + 0.2
    assert winner["why"] and winner["comparison"][0]["family"] == winner["family"]
    compute = winner["compute"]
    assert compute["trials"] == len(trials)
    # The budget is respected within 10 % (the program's own clock, imports included).
    assert compute["wall_seconds"] <= BUDGET * 1.1, compute

    # The winner's code, run in the notebook, reproduces its test score.
    code = by_kind(sections, "code")[0]
    response = api.post(
        "/api/runs", json={"sessionId": session_id, "code": code["code"]}, headers=auth
    )
    run = response.json()["data"]
    assert run["error"] is None, run["stdout"][-2000:]
    assert f"ACCURACY: {winner['test_score']:.4f}" in run["stdout"]
    assert abs(run["accuracy"] - winner["test_score"]) < 1e-4

    # Every single-pipeline trial feeds the knowledge base, once, up to the trust rules' cap
    # per learner and dataset (a quiet machine runs more trials than that in 20 s).
    single = len([t for t in trials if not t["ensemble"]])

    def settled() -> bool:
        search, learner = observations(stack, analysis["id"])
        return search == single or learner >= trust.LEARNER_CAP

    eventually(settled, timeout=60)
    search, learner = observations(stack, analysis["id"])
    assert search <= single and learner <= trust.LEARNER_CAP
    assert search == single or learner == trust.LEARNER_CAP


def test_automl_bad_input_says_why(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'automl-bad')}"}
    few = session_with(api, auth, b"a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,1,0\n", "few.csv")
    response = api.post(
        "/api/apps/automl/analyses",
        json={"sessionId": few, "options": {"budget_seconds": 10}},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    problems = response.json()["data"]["sections"][0]
    assert problems["kind"] == "problems" and problems["data"]["blocking"] is True
    assert problems["data"]["problems"][0]["key"] == "too_little_data"
    assert "at least 50 rows" in problems["data"]["problems"][0]["what_would_work"]

    response = api.post(
        "/api/apps/automl/analyses",
        json={"sessionId": few, "options": {"budget_seconds": 5}},
        headers=auth,
    )
    assert response.status_code == 400
    assert "too small for one trial" in response.json()["error"]["message"]
