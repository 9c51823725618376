"""The notebook's AI tab end to end: Socratic mode and auto-improve rounds through the page
route, then thumbs and accept reach the recommender's knowledge base (every service real)."""

from __future__ import annotations

import re
import uuid

import grpc
import httpx
import pytest
from ascent.recommender.v1 import recommender_service_pb2 as rec_pb
from ascent.recommender.v1 import recommender_service_pb2_grpc as rec_grpc

from services.supervisor.stack import Stack
from tests.integration.test_demo_flow import circles_csv
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

PASSWORD = "correct horse 42"
HX = {"HX-Request": "true"}
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


def page_login(client: httpx.Client, username: str) -> tuple[str, dict[str, str]]:
    """Registers through the HTML form; returns the notebook id and the CSRF header."""
    csrf = CSRF_META.search(client.get("/register").text)
    assert csrf
    response = client.post(
        "/register", data={"username": username, "password": PASSWORD, "csrf_token": csrf[1]}
    )
    assert response.status_code == 303, response.text
    landing = client.get("/notebook")
    notebook_id = landing.headers["location"].rsplit("/", 1)[1]
    page = client.get(f"/notebook/{notebook_id}")
    token = CSRF_META.search(page.text)
    assert token
    return notebook_id, {"X-CSRF-Token": token[1]}


def rated_rationales(stack: Stack, dataset_sha256: str) -> list[str]:
    """What the recommender says about learner feedback on this dataset's pipelines."""
    with grpc.insecure_channel(stack.addr("recommender")) as channel:
        response = rec_grpc.RecommenderServiceStub(channel).Recommend(
            rec_pb.RecommendRequest(dataset_sha256=dataset_sha256, limit=20), timeout=10
        )
    return [p.rationale for p in response.pipelines if "learners rated it" in p.rationale]


def test_notebook_feedback_teaches_the_recommender(stack: Stack) -> None:
    username = f"fb-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=stack.base_url, timeout=180) as page:
        notebook_id, csrf = page_login(page, username)
        token = page.post("/api/auth/token", json={"username": username, "password": PASSWORD})
        auth = {"Authorization": f"Bearer {token.json()['data']['token']}"}
        upload = page.post(
            f"/api/sessions/{notebook_id}/dataset",
            files={"file": ("circles.csv", circles_csv(), "text/csv")},
            headers=auth,
        )
        assert upload.status_code == 200, upload.text
        session = page.get(f"/api/sessions/{notebook_id}", headers=auth).json()["data"]
        sha, code = session["dataset"]["sha256"], session["code"]
        run = page.post("/api/runs", json={"sessionId": notebook_id, "code": code}, headers=auth)
        assert run.status_code == 201, run.text

        # The AI tab's form: Socratic mode, two auto-improve rounds.
        improved = page.post(
            f"/notebook/{notebook_id}/improve",
            data={"code": code, "mode": "socratic", "rounds": "2"},
            headers={**HX, **csrf},
        )
        assert improved.status_code == 200, improved.text
        html = improved.text
        kinds = re.findall(r'data-step="(\w+)"', html)
        assert kinds[-1] == "answer" and "question" in kinds, kinds
        assert re.search(r'<div id="coach-answer"\s+hidden', html), "the answer waits"
        rounds = re.findall(r'<tr class="(kept)?" data-round="(\d)"', html)
        assert 1 <= len(rounds) <= 2 and [kept for kept, _ in rounds].count("kept") == 1, rounds
        assert "Stopped:" in html
        proposal = re.search(r'name="proposal_id" value="([^"]+)"', html)
        assert proposal
        bad_rounds = page.post(
            f"/notebook/{notebook_id}/improve", data={"rounds": "9"}, headers={**HX, **csrf}
        )
        assert bad_rounds.status_code == 400

        # Thumbs down: the recommender hears it through coach.proposal.rated.v1.
        rated = page.post(
            f"/notebook/{notebook_id}/rating",
            data={"proposal_id": proposal[1], "rating": "down"},
            headers={**HX, **csrf},
        )
        assert rated.status_code == 200 and "Thanks" in rated.text, rated.text
        found = eventually(lambda: rated_rationales(stack, sha))
        assert "rated it -1.0 on 1 proposal(s)" in found[0], found

        # Accepting it afterwards adds to the thumbs (the coach merges them): (-1 + 1) / 2.
        accepted = page.post(
            f"/notebook/{notebook_id}/verdict",
            data={"proposal_id": proposal[1], "verdict": "accepted"},
            headers={**HX, **csrf},
        )
        assert accepted.status_code == 200 and "Accepted" in accepted.text, accepted.text
        found = eventually(
            lambda: [r for r in rated_rationales(stack, sha) if "rated it +0.0" in r]
        )
        assert "on 1 proposal(s)" in found[0], found
