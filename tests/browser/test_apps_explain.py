"""The Model Explainability Suite in a real browser, at 1440 px and on a 390 px phone: the
default model (the session's best run) and the learner's level said with why, the depth
switched to advanced, a chart for every explanation and the counterfactual as a before/after
table (a regression, whose counterfactual moves the prediction by half the target's std); a
rating reorders the explanations for that level."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.supervisor.stack import Stack
from tests.apps.test_explain_flow import trained
from tests.apps.test_training_flow import diabetes_csv
from tests.browser.conftest import PASSWORD, Shots, sign_up
from tests.browser.test_apps_playground_sandbox import earn_apps, upload

pytestmark = [pytest.mark.browser, pytest.mark.integration]

RUN_TIMEOUT = 240_000
CHARTS = ("importance", "beeswarm", "waterfall", "permutation", "dependence", "bias")


def test_explain_page_charts_and_ratings(page: Page, stack: Stack, shots: Shots) -> None:
    # The 2-core host this runs on is shared: a page load may take longer than the default 30 s.
    page.set_default_timeout(90_000)
    username = sign_up(page, stack.base_url, "explain")
    session_id = page.url.rstrip("/").split("/")[-1]
    upload(page, "diabetes.csv", diabetes_csv(), "442 rows")
    earn_apps(stack.base_url, username)
    with httpx.Client(base_url=stack.base_url, timeout=120) as api:
        body = {"username": username, "password": PASSWORD}
        token = api.post("/api/auth/token", json=body).json()["data"]["token"]
        code = trained("RandomForestRegressor", "n_estimators=30, max_depth=4, random_state=42")
        response = api.post(
            "/api/runs",
            json={"sessionId": session_id, "code": code},
            headers={"Authorization": f"Bearer {token}"},
        )
        run = response.json()["data"]
        assert run["r2"] is not None, run["stdout"][-2000:]

    page.goto(f"{stack.base_url}/apps/explain")
    expect(page.locator("h1")).to_have_text("Model Explainability Suite")
    expect(page.locator("[data-explain-default]")).to_contain_text(run["id"][:8])
    expect(page.locator("[data-explain-default]")).to_contain_text("only run with a pipeline")
    expect(page.locator("[data-explain-level]")).to_have_attribute("data-explain-level", "beginner")
    page.select_option("[data-explain-depth]", "advanced")
    page.click("[data-app-start]")
    expect(page.locator("[data-analysis-status=completed]")).to_be_visible(timeout=RUN_TIMEOUT)
    expect(page.locator("[data-explained-from]")).to_contain_text(run["id"][:8])
    for kind in CHARTS:
        expect(page.locator(f"#view-{kind} canvas[data-drawn]").first).to_be_visible()
    expect(page.locator("[data-counterfactual='1']")).to_be_visible()
    expect(page.locator("[data-counterfactual='1'] thead")).to_contain_text("before")
    shots(page, "explain-1440")

    # A 👍 on the bias check puts it first for advanced learners (the only rating so far).
    page.click("[data-rate=bias] [data-rate-useful]")
    expect(page.locator("[data-rated=useful]")).to_contain_text("ranks 1 of 7")
    page.reload()
    expect(page.locator("[data-explanation]").first).to_have_attribute("data-explanation", "bias")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#view-importance canvas[data-drawn]")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    shots(page, "explain-390")
