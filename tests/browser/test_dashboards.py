"""The instructor's side in the browser: create a cohort, assign a challenge, watch the
dashboard chart a learner's submissions (live refresh), export a table as CSV; the admin's
platform view."""

from __future__ import annotations

import csv
import io
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.common.curriculum import load_catalog
from services.common.templates import STARTER_TEMPLATE
from services.execution.config import default_curriculum_dir
from services.supervisor.stack import Stack
from tests.browser.conftest import ADMIN, INSTRUCTOR, PASSWORD, Shots

pytestmark = [pytest.mark.browser, pytest.mark.integration]

FIRST = load_catalog(default_curriculum_dir()).tracks[0].challenges[0]


def sign_up_as(page: Page, base_url: str, username: str) -> None:
    """Logs in one of the stack's staff accounts (created by the gateway with their role)."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/notebook/*")


def api_learner(base_url: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base_url, timeout=120)
    name = f"lena{uuid.uuid4().hex[:6]}"
    body = {"username": name, "password": PASSWORD}
    assert client.post("/api/auth/register", json=body).status_code == 201
    token = client.post("/api/auth/token", json=body).json()["data"]["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client, name


def test_instructor_dashboard_charts_and_csv(page: Page, stack: Stack, shots: Shots) -> None:
    base = stack.base_url
    sign_up_as(page, base, INSTRUCTOR)
    expect(page.locator("nav >> text=Dashboards")).to_be_visible()
    page.goto(f"{base}/cohorts")
    page.fill("input[name=name]", "Autumn ML")
    page.click("form[action='/cohorts'] button[type=submit]")
    page.wait_for_url("**/cohorts/*")
    code = page.locator(".join-code").inner_text().strip()
    assert len(code) == 8
    page.select_option("#assign-form select[name=challenge]", FIRST.slug)
    page.fill("#assign-form input[name=due]", "2030-01-31")
    page.click("#assign-form button[type=submit]")
    expect(page.locator("#assignments")).to_contain_text(FIRST.title)
    shots(page, "cohort")
    cohort_id = page.locator("#cohort").get_attribute("data-cohort")

    learner, name = api_learner(base)
    try:
        assert learner.post("/api/cohorts/join", json={"code": code}).status_code == 200
        page.goto(f"{base}/dashboards?cohort={cohort_id}")
        expect(page.locator("[data-dashboard]")).to_have_attribute("data-loaded", "1")
        # Live: a submission lands while the page is open; the page re-fetches by itself.
        submitted = learner.post(
            f"/api/challenges/{FIRST.slug}/submissions", json={"code": FIRST.solution}
        )
        assert submitted.status_code == 201, submitted.text
        # Issue 17: the learner reveals a hint in the browser, then takes the coach's full
        # answer in the challenge's notebook (gateway.hint.revealed.v1, .answer.taken.v1).
        learner_page = page.context.browser.new_page() if page.context.browser else None
        assert learner_page is not None
        learner_page.goto(f"{base}/login")
        learner_page.fill("input[name=username]", name)
        learner_page.fill("input[name=password]", PASSWORD)
        learner_page.click("button[type=submit]")
        learner_page.wait_for_url("**/notebook/*")
        learner_page.goto(f"{base}/challenges/{FIRST.slug}")
        learner_page.click("#hints button")
        expect(learner_page.locator("#hints ol.hints li")).to_have_count(1)
        learner_page.close()
        challenge_session = submitted.json()["data"]["sessionId"]
        answered = learner.post("/api/ai/improve", json={"sessionId": challenge_session})
        assert answered.status_code == 200, answered.text
        table = page.locator("[data-table=challenges]")
        expect(table).to_contain_text(FIRST.title, timeout=30_000)
        expect(table).to_contain_text("100.0%")
        # The platform's own learning (issue 20 §4): the starter, then Improve with AI.
        session = learner.post("/api/sessions", json={}).json()["data"]
        starter = learner.post(
            "/api/runs", json={"sessionId": session["id"], "code": STARTER_TEMPLATE}
        )
        assert starter.status_code == 201, starter.text
        improved = learner.post("/api/ai/improve", json={"sessionId": session["id"]})
        assert improved.status_code == 200, improved.text
        learning = page.locator("[data-learning]")
        expect(learning).to_contain_text("Over static default", timeout=30_000)
        # Exploration: of 2 proposals (the challenge notebook's answer and this one).
        expect(learning).to_contain_text("of 2", timeout=30_000)
        expect(learning).to_contain_text("Reached a good model")
        # Progress, help and pace (issue 17): one learner, one hint, one answer, one pass.
        help_table = page.locator("[data-table=help]")
        expect(help_table).to_contain_text(FIRST.title, timeout=30_000)
        expect(help_table).to_contain_text("1 (100.0%)", timeout=30_000)
        expect(help_table.locator("tbody tr").first.locator("td").nth(4)).to_have_text(
            "1 (100.0%)", timeout=30_000
        )
        expect(page.locator("[data-first-model]")).to_contain_text("1 / 1")
        expect(page.locator("[data-velocity]")).to_contain_text("Passes / active week")
    finally:
        learner.close()
    for chart in (
        "activity",
        "challenges",
        "funnel",
        "errors",
        "ratings",
        "tracks",
        "badges",
        "first-model",
        "velocity",
    ):
        canvas = page.locator(f"canvas[data-chart={chart}]")
        expect(canvas).to_have_attribute("data-ready", "1")
        # A drawn chart has pixels: Chart.js sized the canvas to its box.
        assert canvas.evaluate("c => c.width > 100 && c.height > 100")
        # Something was drawn: the canvas differs from a blank one of its size.
        assert canvas.evaluate(
            "c => { const b = document.createElement('canvas'); b.width = c.width;"
            " b.height = c.height; return c.toDataURL() !== b.toDataURL(); }"
        )
    shots(page, "dashboard")
    page.locator("[data-section=tracks]").scroll_into_view_if_needed()
    shots(page, "dashboard-progress-help-pace")
    # Each new table exports as CSV (the page's session cookie, like its links).
    exported: dict[str, list[dict[str, str]]] = {}
    for name_csv in ("tracks", "badges", "help", "first-model", "velocity"):
        got = page.request.get(f"{base}/api/analytics/dashboard/{name_csv}.csv?cohort={cohort_id}")
        assert got.status == 200, got.text()
        exported[name_csv] = list(csv.DictReader(io.StringIO(got.text())))
    assert [
        (r["challenge"], r["learners"], r["hintLearners"], r["hintShare"], r["answerShare"])
        for r in exported["help"]
    ] == [(FIRST.slug, "1", "1", "1.0", "1.0")]
    first_model = {r["measure"]: r["value"] for r in exported["first-model"]}
    assert (first_model["learnersWithRuns"], first_model["learnersSucceeded"]) == ("1", "1")
    assert any(r["awarded"] == "1" for r in exported["badges"])

    with page.expect_download() as download_info:
        page.click("[data-section=challenges] a[data-csv=challenges]")
    download = download_info.value
    text = open(download.path(), encoding="utf-8").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["challenge"], r["runs"], r["passRate"]) for r in rows] == [(FIRST.slug, "1", "1.0")]

    # The cohort page ranks the learner on the assignment's board.
    page.goto(f"{base}/cohorts/{cohort_id}")
    expect(page.locator(f"[data-board={FIRST.slug}]")).to_contain_text(name)
    expect(page.locator("#members")).to_contain_text(name)
    shots(page, "cohort-board")


def test_admin_platform_view(page: Page, stack: Stack, shots: Shots) -> None:
    sign_up_as(page, stack.base_url, ADMIN)
    page.goto(f"{stack.base_url}/platform")
    table = page.locator("[data-table=consumers]")
    expect(table).to_contain_text("analytics-all")
    expect(table).to_contain_text("leaderboard-runs")
    expect(page.locator("[data-table=throughput]")).to_contain_text("gateway.session.created.v1")
    expect(page.locator("canvas[data-chart=timeline]")).to_have_attribute("data-ready", "1")
    shots(page, "platform")
