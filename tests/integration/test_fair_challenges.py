"""Issue 17, reproduction 2, as it was found, against the real stack: the public score as a
label oracle (submit all zeros, flip one row at a time, watch `publicScore`). The daily
submission limit stops it after 10 graded submissions (429 with Retry-After), a private
row's label never moves the public score, and a failing submission says "not passed" and
what to look at next. Revealed hints stay revealed on reload."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from services.supervisor.stack import Stack
from tests.integration.test_coach_feedback import HX, PASSWORD, page_login
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

SLUG = "first-classifier"
LIMIT = 10  # the default: first-classifier sets none


def predictions_code(values: list[int]) -> str:
    return f"import ascent_report\nascent_report.predictions({values!r})\n"


def test_the_public_score_is_no_label_oracle(stack: Stack) -> None:
    username = f"oracle-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=stack.base_url, timeout=180) as page:
        _, csrf = page_login(page, username)
        token = page.post("/api/auth/token", json={"username": username, "password": PASSWORD})
        auth = {"Authorization": f"Bearer {token.json()['data']['token']}"}

        # Revealed hints are stored: a reload shows them, and the button offers the next.
        assert "Show hint 1 of 3" in page.get(f"/challenges/{SLUG}").text
        shown = page.post(f"/challenges/{SLUG}/hints", data={"count": 2}, headers={**HX, **csrf})
        assert shown.status_code == 200, shown.text
        reloaded = page.get(f"/challenges/{SLUG}").text
        assert "Show hint 3 of 3" in reloaded and revealed(reloaded) == 2
        # Never hidden again by an older count.
        page.post(f"/challenges/{SLUG}/hints", data={"count": 1}, headers={**HX, **csrf})
        assert revealed(page.get(f"/challenges/{SLUG}").text) == 2

        def submit(values: list[int]) -> httpx.Response:
            return page.post(
                f"/api/challenges/{SLUG}/submissions",
                json={"code": predictions_code(values)},
                headers=auth,
            )

        # The practice run makes the service build the challenge's files.
        warm = page.post(f"/api/challenges/{SLUG}/practice", json={"code": "1"}, headers=auth)
        assert warm.status_code == 201, warm.text
        folder = next((stack.config.data_dir / "challenges").glob(f"{SLUG}-*"))
        public = set(json.loads((folder / "public_rows.json").read_text()))
        rows = sum(1 for _ in (folder / "test_features.csv").open()) - 1
        private_row = min(set(range(rows)) - public)
        # A minority of the test rows is public; the final ranking uses the rest.
        assert 0 < len(public) <= 0.35 * rows

        zeros = [0] * rows
        base = submit(zeros)
        assert base.status_code == 201, base.text
        first = base.json()["data"]
        assert first["verdict"] == "not passed" and not first["passed"]
        assert first["submissionsLeft"] == LIMIT - 1
        assert any("a pass needs ≥ 0.9" in step for step in first["nextSteps"]), first
        assert any("practice" in step for step in first["nextSteps"])

        # A run that fails is not graded and does not use up a submission.
        crashed = page.post(
            f"/api/challenges/{SLUG}/submissions",
            json={"code": "raise ValueError('nope')"},
            headers=auth,
        )
        assert crashed.status_code == 422

        # Flipping a private row reveals nothing: the public score does not move.
        flipped = submit([1 if i == private_row else 0 for i in range(rows)])
        assert flipped.status_code == 201, flipped.text
        assert flipped.json()["data"]["publicScore"] == first["publicScore"]
        assert flipped.json()["data"]["submissionsLeft"] == LIMIT - 2

        # The oracle itself, one public row per submission, until the limit refuses it.
        learned: dict[int, bool] = {}
        refused = None
        for row in sorted(public):
            response = submit([1 if i == row else 0 for i in range(rows)])
            if response.status_code == 429:
                refused = response
                break
            assert response.status_code == 201, response.text
            learned[row] = response.json()["data"]["publicScore"] != first["publicScore"]
        assert refused is not None, "the daily limit never stopped the oracle"
        assert len(learned) == LIMIT - 2
        # Most public labels (and every private one) stay unknown.
        assert len(learned) < len(public)
        assert int(refused.headers["Retry-After"]) > 3600
        message = refused.json()["error"]["message"]
        assert f"{LIMIT} graded submissions" in message and "practice" in message

        # Practice runs are not limited by it; the refused submission left no run behind.
        practice = page.post(
            f"/api/challenges/{SLUG}/practice", json={"code": "print(1)"}, headers=auth
        )
        assert practice.status_code == 201, practice.text
        page_refusal = page.post(
            f"/challenges/{SLUG}/submit",
            data={"code": predictions_code(zeros)},
            headers={**HX, **csrf},
        )
        assert page_refusal.status_code == 429 and "Retry-After" in page_refusal.headers
        assert "graded submissions" in page_refusal.text

        # None of these failing submissions is a pass, or on the podium (rank 1 of 1 here).
        def counted() -> dict[str, Any] | None:
            profile: dict[str, Any] = page.get("/api/profile", headers=auth).json()["data"]
            return profile if profile["runs"] >= LIMIT + 1 else None

        profile = eventually(counted, timeout=60, what="the submissions reach progress")
        assert not {b["slug"] for b in profile["badges"]} & {"podium", "first-pass"}
        assert profile["challengesPassed"] == 0


def revealed(html: str) -> int:
    """How many hints a challenge page lists."""
    return html.split('<ol class="hints">')[1].split("</ol>")[0].count("<li>")
