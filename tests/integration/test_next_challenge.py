"""The next-challenge recommendation against the real stack: graded submissions reach the
recommender as events, it reads the catalog and lock state from progress, and the gateway
serves the ranking as JSON and as the "Next up" card."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.common.curriculum import load_catalog
from services.execution.config import default_curriculum_dir
from services.supervisor.stack import Stack
from tests.integration.conftest import register
from tests.integration.test_coach_feedback import HX, page_login
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

CHALLENGES = {
    c.slug: c for t in load_catalog(default_curriculum_dir()).tracks for c in t.challenges
}


def next_up(api: httpx.Client, auth: dict[str, str]) -> dict[str, Any]:
    response = api.get("/api/recommendations/next-challenge", headers=auth)
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def test_next_challenge_follows_passes_and_weak_spots(api: httpx.Client, stack: Stack) -> None:
    auth = {"Authorization": f"Bearer {register(api, f'nx{uuid.uuid4().hex[:8]}')}"}

    fresh = next_up(api, auth)
    assert fresh["gradedRuns"] == 0 and fresh["weakSpots"] == []
    assert fresh["challenges"][0]["slug"] == "first-classifier"
    assert fresh["challenges"][0]["reason"] == "start"

    # A pass, and a regression that stays at the mean-predicting baseline (R2 ~ 0 < 0.4).
    first = CHALLENGES["first-classifier"]
    passed = api.post(
        "/api/challenges/first-classifier/submissions", json={"code": first.solution}, headers=auth
    )
    assert passed.status_code == 201 and passed.json()["data"]["passed"], passed.text
    weak = api.post(
        "/api/challenges/diabetes-regression/submissions",
        json={"code": CHALLENGES["diabetes-regression"].starter_code},
        headers=auth,
    )
    assert weak.status_code == 201 and not weak.json()["data"]["passed"], weak.text

    learnt = eventually(lambda: (n := next_up(api, auth))["gradedRuns"] == 2 and n)
    ranked = [c["slug"] for c in learnt["challenges"]]
    # The pass unlocked Data detective: next step first; the far regression miss second.
    assert ranked[:2] == ["data-detective", "diabetes-regression"], learnt
    top = learnt["challenges"][0]
    assert top["reason"] == "next_step"
    assert top["rationale"].startswith("You passed Your first classifier")
    assert "first-classifier" not in ranked  # passed challenges are never suggested
    retry = learnt["challenges"][1]
    assert retry["reason"] == "retry" and retry["attempts"] == 1
    assert "vs 0.40 needed" in retry["rationale"]
    spots = {w["skill"]: w for w in learnt["weakSpots"]}
    assert "metric:r2" in spots and "Predict disease progression" in spots["metric:r2"]["evidence"]
    assert "metric:accuracy" not in spots
    bad = api.get("/api/recommendations/next-challenge?limit=9", headers=auth)
    assert bad.status_code == 400

    # The card the tracks and profile pages load.
    with httpx.Client(base_url=stack.base_url, timeout=60) as page:
        page_login(page, f"nc{uuid.uuid4().hex[:8]}")
        card = page.get("/next-up", headers=HX)
        assert card.status_code == 200, card.text
        assert "Next up" in card.text and 'data-next-challenge="first-classifier"' in card.text
        tracks_page = page.get("/tracks")
        assert 'hx-get="/next-up"' in tracks_page.text
