"""The notebook's AI tab end to end: Socratic mode and auto-improve rounds through the page
route, then thumbs and accept reach the recommender's knowledge base (every service real)."""

from __future__ import annotations

import re
import uuid
from html import unescape
from typing import Any

import grpc
import httpx
import pytest
from ascent.recommender.v1 import recommender_service_pb2 as rec_pb
from ascent.recommender.v1 import recommender_service_pb2_grpc as rec_grpc

from services.supervisor.stack import Stack
from tests.integration.test_demo_flow import circles_csv
from tests.support.messy import messy_csv
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

        # The AI tab's form: two auto-improve rounds.
        improved = page.post(
            f"/notebook/{notebook_id}/improve",
            data={"code": code, "mode": "answer", "rounds": "2"},
            headers={**HX, **csrf},
        )
        assert improved.status_code == 200, improved.text
        html = improved.text
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


def board(page: httpx.Client, notebook_id: str, auth: dict[str, str]) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = page.get(f"/api/runs/{notebook_id}", headers=auth).json()["data"]
    return runs


def step_texts(html: str, kind: str) -> list[str]:
    found = re.findall(
        rf'data-step="{kind}"[^>]*>\s*<span class="step-kind">[^<]*</span>\s*(.*?)</li>', html, re.S
    )
    return [unescape(" ".join(text.split())) for text in found]


def test_socratic_mode_runs_nothing_until_the_learner_asks(stack: Stack) -> None:
    """Issue 13, item 17: the improved experiment was already run and on the board while
    the answer was hidden, and the hints were the Answer-mode suggestions word for word."""
    username = f"so-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=stack.base_url, timeout=180) as page:
        notebook_id, csrf = page_login(page, username)
        token = page.post("/api/auth/token", json={"username": username, "password": PASSWORD})
        auth = {"Authorization": f"Bearer {token.json()['data']['token']}"}
        upload = page.post(
            f"/api/sessions/{notebook_id}/dataset",
            files={"file": ("customers.csv", messy_csv(rows=1200), "text/csv")},
            headers=auth,
        )
        assert upload.status_code == 200, upload.text
        code = page.get(f"/api/sessions/{notebook_id}", headers=auth).json()["data"]["code"]
        run = page.post("/api/runs", json={"sessionId": notebook_id, "code": code}, headers=auth)
        assert run.status_code == 201, run.text
        assert len(board(page, notebook_id, auth)) == 1

        asked = page.post(
            f"/notebook/{notebook_id}/improve",
            data={"code": code, "mode": "socratic", "rounds": "1"},
            headers={**HX, **csrf},
        )
        assert asked.status_code == 200, asked.text
        html = asked.text
        questions, hints = step_texts(html, "question"), step_texts(html, "hint")
        assert questions and hints, html
        # Nothing ran, nothing of the answer is on the page, the board did not change.
        assert 'data-step="answer"' not in html and 'id="improved-code"' not in html
        assert 'id="before-after"' not in html and 'id="diagnosis"' not in html
        assert asked.headers.get("HX-Trigger") != "runs-changed"
        assert len(board(page, notebook_id, auth)) == 1
        # The questions are about this data: its identifier column and its row count.
        assert any("'customer_id'" in q and "1,200 rows" in q for q in questions), questions
        # A reload shows the same questions, still without the answer.
        reloaded = page.get(f"/notebook/{notebook_id}").text
        assert step_texts(reloaded, "question") == questions
        assert 'data-step="answer"' not in reloaded
        proposal = re.search(r'name="proposal_id" value="([^"]+)"', html)
        assert proposal

        shown = page.post(
            f"/notebook/{notebook_id}/improve/answer",
            data={"proposal_id": proposal[1], "code": code},
            headers={**HX, **csrf},
        )
        assert shown.status_code == 200, shown.text
        answer_html = shown.text
        assert step_texts(answer_html, "answer"), answer_html
        assert 'id="before-after"' in answer_html and 'id="improved-code"' in answer_html
        runs = board(page, notebook_id, auth)
        assert len(runs) == 2
        improved = next(r for r in runs if r["isImproved"])
        assert improved["parentRunId"] == run.json()["data"]["id"]
        assert improved["error"] is None, improved
        # Hints and questions are not the suggestions the answer gives.
        suggestions = [
            unescape(" ".join(text.split()))
            for text in re.findall(r'<ol class="suggestions">(.*?)</ol>', answer_html, re.S)[0]
            .replace("</li>", "\n")
            .replace("<li>", "")
            .splitlines()
            if text.strip()
        ]
        assert suggestions
        assert not set(hints + questions) & set(suggestions), (hints, suggestions)
        # Asking again shows the same answer: nothing runs twice.
        again = page.post(
            f"/notebook/{notebook_id}/improve/answer",
            data={"proposal_id": proposal[1], "code": code},
            headers={**HX, **csrf},
        )
        assert again.status_code == 200 and len(board(page, notebook_id, auth)) == 2
