"""The AutoML Trainer in a real browser, at 1440 px and on a 390 px phone: the recommender's
suggestions before Start, the leaderboard and the best-score chart growing while the search
runs, then why the winner wins and its code."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from services.supervisor.stack import Stack
from tests.apps.test_training_flow import cancer_csv
from tests.browser.conftest import Shots, sign_up
from tests.browser.test_apps_playground_sandbox import earn_apps, upload

pytestmark = [pytest.mark.browser, pytest.mark.integration]

RUN_TIMEOUT = 120_000


def test_automl_suggestions_live_board_and_winner(page: Page, stack: Stack, shots: Shots) -> None:
    username = sign_up(page, stack.base_url, "automl")
    upload(page, "cancer.csv", cancer_csv(), "569 rows")
    earn_apps(stack.base_url, username)

    page.goto(f"{stack.base_url}/apps/automl")
    expect(page.locator("h1")).to_have_text("AutoML Trainer")
    # Before Start: what the recommender expects to win, and why.
    expect(page.locator("[data-recommended-pipeline]").first).to_be_visible()
    shots(page, "automl-before-1440", full_page=False)
    page.fill("[data-automl-budget]", "15")
    page.select_option("[data-automl-search]", "random")
    page.click("[data-app-start]")
    # The leaderboard fills while the search runs (before the analysis ends).
    page.wait_for_function(
        "() => document.querySelectorAll('[data-automl-board] tbody tr').length > 0",
        timeout=RUN_TIMEOUT,
    )
    assert page.locator("[data-analysis-status=completed]").count() == 0, "shown while running"
    expect(page.locator("[data-analysis-status=completed]")).to_be_visible(timeout=RUN_TIMEOUT)
    expect(page.locator("[data-automl-board] tbody tr.warm").first).to_contain_text("(recommended)")
    expect(page.locator("canvas[data-curve-chart=automl][data-drawn]")).to_be_visible()
    expect(page.locator("[data-why]")).not_to_be_empty()
    expect(page.locator("[data-winner-code]")).to_contain_text("pipeline.fit(X_train, y_train)")
    shots(page, "automl-1440")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#view-winner")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    shots(page, "automl-390")
