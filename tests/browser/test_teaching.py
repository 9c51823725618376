"""Learning by teaching (issue 17) in a real browser: a learner who has not passed sees only
how many explanations exist; after passing they read them (Markdown rendered, a <script>
shown as text and never run), vote one helpful (it moves up), and share their own. The
"learners often ..." pitfalls come from other learners' failed submissions. Screenshots of
the section at 1440 and 390 px."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.common.curriculum import load_catalog
from services.execution.config import default_curriculum_dir
from services.supervisor.stack import Stack
from tests.browser.conftest import INSTRUCTOR, PASSWORD, Shots, sign_up
from tests.support.polling import eventually

pytestmark = [pytest.mark.browser, pytest.mark.integration]

FIRST = load_catalog(default_curriculum_dir()).tracks[0].challenges[0]
SLUG = FIRST.slug
SCRIPT = "<script>window.__xss = 1</script>"


def token(api: httpx.Client, username: str, register: bool = True) -> dict[str, str]:
    if register:
        made = api.post("/api/auth/register", json={"username": username, "password": PASSWORD})
        assert made.status_code == 201, made.text
    response = api.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['data']['token']}"}


def submit(api: httpx.Client, auth: dict[str, str], code: str) -> httpx.Response:
    return api.post(f"/api/challenges/{SLUG}/submissions", json={"code": code}, headers=auth)


def passed(api: httpx.Client, auth: dict[str, str]) -> None:
    response = submit(api, auth, FIRST.solution)
    assert response.status_code == 201 and response.json()["data"]["passed"], response.text
    eventually(
        lambda: api.get(f"/api/challenges/{SLUG}/explanations", headers=auth).json()["data"][
            "viewerPassed"
        ],
        timeout=60,
    )


def test_explanations_section(page: Page, stack: Stack, shots: Shots) -> None:
    with httpx.Client(base_url=stack.base_url, timeout=180) as api:
        # Three learners send the wrong number of predictions: a pitfall for everyone.
        for _ in range(3):
            short = "import ascent_report\nascent_report.predictions([1, 0])"
            auth = token(api, f"pit-{uuid.uuid4().hex[:8]}")
            assert submit(api, auth, short).status_code == 422
        # Two learners passed and explained.
        first, second = (token(api, f"{n}-{uuid.uuid4().hex[:6]}") for n in ("ada", "bo"))
        passed(api, first)
        body = (
            "I **scaled** the features, then a `LogisticRegression(max_iter=500)`; "
            f"5-fold CV first, so I knew it passed before submitting. {SCRIPT}"
        )
        posted = api.post(
            f"/api/challenges/{SLUG}/explanations",
            json={"body": body, "code": FIRST.solution},
            headers=first,
        )
        assert posted.status_code == 201, posted.text
        passed(api, second)
        later = api.post(
            f"/api/challenges/{SLUG}/explanations",
            json={"body": "A small random forest; no scaling needed for trees at all."},
            headers=second,
        )
        second_id = later.json()["data"]["id"]

        username = sign_up(page, stack.base_url, prefix="reader")
        me = token(api, username, register=False)
        page.goto(f"{stack.base_url}/challenges/{SLUG}")
        section = page.locator("#explanations")
        expect(section.locator("[data-locked=true]")).to_contain_text("2 explanations")
        expect(section.locator("[data-pitfall=wrong_count]")).to_contain_text(
            "wrong number of predictions"
        )
        assert section.locator(".explanation").count() == 0
        section.scroll_into_view_if_needed()
        shots(page, "locked-1440")

        passed(api, me)
        page.reload()
        items = section.locator(".explanation")
        expect(items).to_have_count(2)
        # Rendered as the lessons are: Markdown yes, the script as text and never run.
        expect(items.first.locator(".explanation-body strong")).to_have_text("scaled")
        expect(items.first.locator(".explanation-body")).to_contain_text("<script>")
        assert section.locator("script").count() == 0
        assert page.evaluate("window.__xss === undefined")

        # A helpful vote moves the second explanation up; the button shows it is pressed.
        items.nth(1).locator("button", has_text="Helpful").click()
        expect(items.first).to_have_attribute("data-explanation-id", second_id)
        expect(items.first.locator("button[aria-pressed=true]")).to_be_visible()

        # The learner shares their own approach.
        page.fill("#explain-body", "Standardise, then logistic regression; checked with CV.")
        page.click(".explain-form button[type=submit]")
        expect(section.locator(".explanation", has_text="(you)")).to_be_visible()

        # An instructor validates the first learner's: it goes first, marked.
        teacher = token(api, INSTRUCTOR, register=False)
        marked = api.put(
            f"/api/explanations/{posted.json()['data']['id']}/moderation",
            json={"validated": True},
            headers=teacher,
        )
        assert marked.status_code == 200, marked.text
        page.reload()
        expect(items.first).to_contain_text("validated by an instructor")
        section.scroll_into_view_if_needed()
        shots(page, "explanations-1440")
        section.screenshot(path=str(shots.folder / "section-1440.png"))

        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        section.scroll_into_view_if_needed()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide at 390"
        shots(page, "explanations-390")
        section.screenshot(path=str(shots.folder / "section-390.png"))
