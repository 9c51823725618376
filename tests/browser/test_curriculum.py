"""The gamified curriculum in a real browser: a learner picks a display name, reads the tracks
(what unlocks next and why), opens the first challenge, reveals hints one at a time, practises
in the CodeMirror editor, submits a passing solution, sees a live toast and their display
name on the board, then their XP, level and dated badges on the profile. Desktop and phone."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.common.curriculum import load_catalog
from services.execution.config import default_curriculum_dir
from services.supervisor.stack import Stack
from tests.browser.conftest import PASSWORD, Shots, sign_up
from tests.support.polling import eventually

pytestmark = [pytest.mark.browser, pytest.mark.integration]

RUN_TIMEOUT = 90_000
FIRST = load_catalog(default_curriculum_dir()).tracks[0].challenges[0]

# Toasts leave after ~5 s; every toast line is also kept here so none can be missed (the
# facts of one action share one toast, a line each), with the most toasts shown at once.
RECORD_TOASTS = """
window.__toasts = [];
window.__maxToasts = 0;
new MutationObserver((records) => {
  for (const record of records) for (const node of record.addedNodes) {
    if (!node.classList) continue;
    const own = node.classList.contains("toast-line");
    const lines = own ? [node] : node.querySelectorAll(".toast-line");
    for (const line of lines) window.__toasts.push(line.textContent);
  }
  const shown = document.querySelectorAll("#toasts .toast").length;
  window.__maxToasts = Math.max(window.__maxToasts, shown);
}).observe(document, { childList: true, subtree: true });
"""


def toasts(page: Page) -> list[str]:
    return list(page.evaluate("window.__toasts || []"))


def test_tracks_challenge_profile(page: Page, stack: Stack, shots: Shots) -> None:
    page.add_init_script(RECORD_TOASTS)
    username = sign_up(page, stack.base_url, prefix="climber")
    display = f"Ada {uuid.uuid4().hex[:4]}"

    # Profile: choose the display name shown on boards (a bad one first: clear message).
    page.goto(f"{stack.base_url}/profile")
    page.fill("#display-name-input", "x")
    page.click(".display-name-form button[type=submit]")
    expect(page.locator("#display-name [role=alert]")).to_contain_text("2-32 characters")
    page.fill("#display-name-input", display)
    page.click(".display-name-form button[type=submit]")
    expect(page.locator("#display-name [role=status]")).to_contain_text(display)

    # Tracks: Beginner open, the others locked with what unlocks them and progress so far.
    page.goto(f"{stack.base_url}/tracks")
    expect(page.locator(".topbar .whoami")).to_contain_text(display)
    beginner = page.locator("[data-track=beginner]")
    intermediate = page.locator("[data-track=intermediate]")
    expect(beginner).to_have_class(re.compile("unlocked"))
    expect(intermediate).to_have_class(re.compile("locked"))
    expect(intermediate.locator(".unlock-why")).to_contain_text("To unlock:")
    expect(intermediate.locator(".unlock-why")).to_contain_text("0 of 5")
    shots(page, "tracks")

    # Challenge: lesson, hints one at a time.
    beginner.get_by_role("link", name=FIRST.title).click()
    page.wait_for_url(f"**/challenges/{FIRST.slug}")
    expect(page.locator("#challenge > h1")).to_contain_text(FIRST.title)
    expect(page.locator(".cm-content")).to_be_visible()
    hints = page.locator("#hints ol.hints li")
    expect(hints).to_have_count(0)
    for shown in (1, 2, 3):
        page.get_by_role("button", name=f"Show hint {shown} of 3").click()
        expect(hints).to_have_count(shown)
    expect(page.locator("#hints button")).to_have_count(0)
    # Hints are Markdown: `code` renders as code, not as backticks.
    expect(hints.first.locator("code").first).to_be_visible()
    expect(hints.first).not_to_contain_text("`")
    # The lesson does not repeat the page's title.
    expect(page.locator("h1", has_text=FIRST.title)).to_have_count(1)

    # Practice: the reference solution runs on the challenge data, streamed, not graded.
    page.evaluate("(code) => window.ascentEditor.set(code)", FIRST.solution)
    page.click("#run-btn")
    expect(page.locator("#output .run-card")).to_be_visible(timeout=RUN_TIMEOUT)
    expect(page.locator("#output .practice-note")).to_contain_text("not graded")
    expect(page.locator("#output .run-card")).to_contain_text("Practice")
    expect(page.locator("#submission")).not_to_contain_text("Passed")
    expect(page.locator("#board")).not_to_contain_text(display)
    shots(page, "challenge-practice")

    # Submit: graded, passed; the board shows the display name, never the username.
    # (The practice run's toasts leave first, so what follows counts only the submission's.)
    expect(page.locator("#toasts .toast")).to_have_count(0, timeout=15_000)
    page.evaluate("window.__maxToasts = 0")
    page.click("#submit-btn")
    expect(page.locator("#submission")).to_contain_text("Passed!", timeout=RUN_TIMEOUT)
    expect(page.locator("#board")).to_contain_text(f"{display} (you)")
    expect(page.locator("#board")).not_to_contain_text(username)
    # A live toast on this (non-notebook) page, pushed from the progress service's event.
    expect(page.locator("#toasts .toast").first).to_be_visible(timeout=30_000)
    page.wait_for_function(
        "(window.__toasts || []).some(t => t.includes('Challenge passed'))", timeout=30_000
    )
    assert any(FIRST.title in text for text in toasts(page) if "Challenge passed" in text)
    # The title says so live, without a reload.
    expect(page.locator("#challenge > h1 .passed-mark")).to_have_text("✓ passed")
    # The pass, its badges and XP arrive together: one toast with a line each, not a stack.
    page.wait_for_timeout(2_000)
    assert len(toasts(page)) >= 2, toasts(page)
    assert page.evaluate("window.__maxToasts") == 1, toasts(page)
    shots(page, "challenge-passed")

    # Profile: XP, level, the badges earned with their dates, the passed challenge.
    page.goto(f"{stack.base_url}/profile")
    metrics = page.locator("#profile .metrics")
    expect(metrics).to_contain_text("Level")
    xp = int(metrics.locator(".metric", has_text="XP").locator(".metric-value").inner_text())
    assert xp > 0
    badge_dates = page.locator(".badge-card small")
    expect(badge_dates.first).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    expect(page.locator(".badges")).to_contain_text("Challenge accepted")
    expect(page.locator("#profile table")).to_contain_text(FIRST.title)
    shots(page, "profile")

    # Phone width: nothing wider than the screen on any of the three pages.
    page.set_viewport_size({"width": 390, "height": 844})
    for path, label in (
        ("/tracks", "tracks-390"),
        (f"/challenges/{FIRST.slug}", "challenge-390"),
        ("/profile", "profile-390"),
    ):
        page.goto(f"{stack.base_url}{path}")
        page.evaluate("document.fonts.ready")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, (path, overflow)
        if label == "challenge-390":
            # CodeMirror measures lines once they are in view: scroll there like a learner.
            page.locator(".cm-editor").scroll_into_view_if_needed()
            page.evaluate("new Promise((done) => requestAnimationFrame(() => done(null)))")
        shots(page, label)
        if label == "challenge-390":
            # Line numbers line up with the code lines at phone width too.
            gutter = page.locator(".cm-lineNumbers .cm-gutterElement").nth(5).bounding_box()
            line = page.locator(".cm-content .cm-line").nth(4).bounding_box()
            assert gutter and line and abs(gutter["y"] - line["y"]) < 3, (gutter, line)


def test_tracks_and_profile_show_the_deployment_rule_progress(
    page: Page, stack: Stack, shots: Shots
) -> None:
    """Issue 16: two deployed models that meet the bar → "2 of 3" on the Advanced card and
    on the profile, with the way to the Deployment Assistant."""
    username = sign_up(page, stack.base_url, prefix="deployer")
    with httpx.Client(base_url=stack.base_url, timeout=180) as api:
        token = api.post("/api/auth/token", json={"username": username, "password": PASSWORD})
        auth = {"Authorization": f"Bearer {token.json()['data']['token']}"}
        # The Deployment Assistant opens after two passed challenges (curriculum/apps.yaml).
        catalog = load_catalog(default_curriculum_dir())
        for challenge in catalog.tracks[0].challenges[:5]:
            if challenge.slug in ("first-classifier", "wine-scaling"):
                passed = api.post(
                    f"/api/challenges/{challenge.slug}/submissions",
                    json={"code": challenge.solution},
                    headers=auth,
                )
                assert passed.status_code == 201, passed.text
        eventually(
            lambda: api.get("/api/profile", headers=auth).json()["data"]["challengesPassed"] == 2,
            timeout=30,
        )
        for iterations in (200, 300):
            code = FIRST.solution.replace("max_iter=200", f"max_iter={iterations}")
            practice = api.post(
                f"/api/challenges/{FIRST.slug}/practice", json={"code": code}, headers=auth
            )
            assert practice.status_code == 201, practice.text
            deployed = api.post(
                "/api/apps/deploy/deployments",
                json={"runId": practice.json()["data"]["id"]},
                headers=auth,
            )
            assert deployed.status_code == 201, deployed.text

        def advanced() -> dict[str, object]:
            found = api.get("/api/tracks", headers=auth).json()["data"]
            return next(t for t in found if t["slug"] == "advanced")

        eventually(lambda: advanced()["deployedMeetingBar"] == 2, timeout=30)

    page.goto(f"{stack.base_url}/tracks")
    line = page.locator("[data-track=advanced] [data-deploy-progress=advanced]")
    expect(line).to_contain_text("2 of 3 deployed models meet the bar")
    expect(line.get_by_role("link", name="Deploy a model")).to_have_attribute(
        "href", "/apps/deploy"
    )
    expect(page.locator("[data-track=advanced] .unlock-why")).to_contain_text("Deploy 3 models")
    line.scroll_into_view_if_needed()
    shots(page, "tracks-deploy-progress")
    page.goto(f"{stack.base_url}/profile")
    expect(page.locator(".deployments-progress [data-deploy-progress=advanced]")).to_contain_text(
        "2 of 3 deployed models meet the bar"
    )
    shots(page, "profile-deploy-progress")
