"""Learning by teaching (issue 17) through the real stack: learner A passes and explains;
learner B, who has not passed, cannot read it (API and page) and after passing can; helpful
votes reorder; an instructor validates and hides; failed submissions of several learners
become a "learners often ..." pitfall; a <script> in an explanation never reaches the page."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.common.curriculum import load_catalog
from services.execution.config import default_curriculum_dir
from services.supervisor.stack import Stack
from tests.integration.conftest import INSTRUCTORS, register
from tests.integration.test_coach_feedback import HX, page_login
from tests.integration.test_instructor_cohorts import login
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

FIRST = load_catalog(default_curriculum_dir()).tracks[0].challenges[0]
SLUG = FIRST.slug
SCRIPT = "<script>alert('xss')</script>"


def bearer(api: httpx.Client, prefix: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {register(api, f'{prefix}{uuid.uuid4().hex[:6]}')}"}


def listing(api: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    response = api.get(f"/api/challenges/{SLUG}/explanations", headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def pass_challenge(api: httpx.Client, headers: dict[str, str]) -> None:
    response = api.post(
        f"/api/challenges/{SLUG}/submissions", json={"code": FIRST.solution}, headers=headers
    )
    assert response.status_code == 201, response.text
    assert response.json()["data"]["passed"], response.text
    # Progress records the pass from the run event: wait until it has.
    eventually(lambda: listing(api, headers)["viewerPassed"], timeout=60)


def explain(
    api: httpx.Client, headers: dict[str, str], body: str, code: str = ""
) -> httpx.Response:
    return api.post(
        f"/api/challenges/{SLUG}/explanations", json={"body": body, "code": code}, headers=headers
    )


def test_explanations_are_earned_voted_and_moderated(api: httpx.Client, stack: Stack) -> None:
    # B uses both the API and the pages.
    page = httpx.Client(base_url=stack.base_url, timeout=120)
    user_b = f"teach-b{uuid.uuid4().hex[:6]}"
    page_login(page, user_b)
    try:
        run_scenario(api, page, user_b)
    finally:
        page.close()


def run_scenario(api: httpx.Client, page: httpx.Client, user_b: str) -> None:
    a, c = bearer(api, "teach-a"), bearer(api, "teach-c")
    b = login(api, user_b)
    teacher = login(api, INSTRUCTORS[0])

    # Before passing nobody may post.
    early = explain(api, a, "I used a logistic regression on the scaled features.")
    assert early.status_code == 403, early.text

    pass_challenge(api, a)
    text_a = f"A scaled logistic regression was enough. **Check** the class balance. {SCRIPT}"
    posted = explain(api, a, text_a, code=FIRST.solution)
    assert posted.status_code == 201, posted.text
    ea = posted.json()["data"]["id"]
    assert SCRIPT not in posted.json()["data"]["bodyHtml"]
    assert "&lt;script&gt;" in posted.json()["data"]["bodyHtml"]
    assert explain(api, a, "short").status_code == 400
    assert explain(api, a, "x" * 2001).status_code in (400, 422)

    # B has not passed: the count, the lock, no text, no code; a vote does not find it.
    locked = listing(api, b)
    assert locked["locked"] and locked["explanations"] == [] and locked["total"] >= 1
    assert "logistic" not in str(locked)
    assert api.post(f"/api/explanations/{ea}/votes", headers=b).status_code == 404

    # The page says the same, server-side (not hidden by the template).
    html = page.get(f"/challenges/{SLUG}").text
    assert 'data-locked="true"' in html and "scaled logistic" not in html
    fragment = page.get(f"/challenges/{SLUG}/explanations", headers=HX).text
    assert "scaled logistic" not in fragment and "Pass this challenge" in fragment

    # B passes, reads A's explanation; C passes and explains too.
    pass_challenge(api, b)
    opened = listing(api, b)
    assert not opened["locked"] and ea in [e["id"] for e in opened["explanations"]]
    mine = next(e for e in opened["explanations"] if e["id"] == ea)
    assert mine["code"] == FIRST.solution.rstrip()
    pass_challenge(api, c)
    ec = explain(api, c, "A random forest with 200 trees, no scaling needed at all.").json()[
        "data"
    ]["id"]

    def order(headers: dict[str, str]) -> list[str]:
        ids = [e["id"] for e in listing(api, headers)["explanations"]]
        return [i for i in ids if i in (ea, ec)]

    assert order(b) == [ea, ec]
    # Votes reorder: B and A find C's helpful; B's second vote on A's takes it back.
    assert api.post(f"/api/explanations/{ec}/votes", headers=b).json()["data"]["votes"] == 1
    assert api.post(f"/api/explanations/{ec}/votes", headers=a).json()["data"]["votes"] == 2
    assert api.post(f"/api/explanations/{ea}/votes", headers=b).json()["data"]["votes"] == 1
    assert api.post(f"/api/explanations/{ea}/votes", headers=b).json()["data"]["votes"] == 0
    assert order(b) == [ec, ea]
    assert api.post(f"/api/explanations/{ec}/votes", headers=c).status_code == 400

    # Moderation: learners may not; the instructor (who never passed) reads, validates, hides.
    refused = api.put(f"/api/explanations/{ea}/moderation", json={"validated": True}, headers=b)
    assert refused.status_code == 403
    assert not listing(api, teacher)["locked"]
    validated = api.put(
        f"/api/explanations/{ea}/moderation", json={"validated": True}, headers=teacher
    )
    assert validated.status_code == 200 and validated.json()["data"]["validated"]
    assert order(b) == [ea, ec]
    hidden = api.put(f"/api/explanations/{ec}/moderation", json={"hidden": True}, headers=teacher)
    assert hidden.status_code == 200, hidden.text
    assert order(b) == [ea]
    assert ec in [e["id"] for e in listing(api, teacher)["explanations"]]

    # The page of a passer renders the Markdown, never the script.
    html = page.get(f"/challenges/{SLUG}").text
    assert "<strong>Check</strong>" in html and SCRIPT not in html
    assert "validated by an instructor" in html and "random forest" not in html


def test_failed_submissions_of_several_learners_become_a_pitfall(api: httpx.Client) -> None:
    short = "import ascent_report\nascent_report.predictions([1])"
    for _ in range(3):
        learner = bearer(api, "teach-pit")
        response = api.post(
            f"/api/challenges/{SLUG}/submissions", json={"code": short}, headers=learner
        )
        assert response.status_code == 422, response.text
    viewer = bearer(api, "teach-view")

    def kinds() -> list[str]:
        return [p["kind"] for p in listing(api, viewer)["pitfalls"]]

    eventually(lambda: "wrong_count" in kinds(), timeout=60)
    pitfall = next(p for p in listing(api, viewer)["pitfalls"] if p["kind"] == "wrong_count")
    assert pitfall["learners"] >= 3 and "number of predictions" in pitfall["text"]
