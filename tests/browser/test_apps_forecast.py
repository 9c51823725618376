"""The Time-Series Forecaster in a real browser, at 1440 px and on a 390 px phone: a daily
series with a weekly rhythm, the periods found, the decomposition, the backtest and the
forecast with its bands drawn, and what was done to the data (a duplicate, a gap, a non-date)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from services.supervisor.stack import Stack
from tests.apps.test_forecast_flow import DAYS, weekly_csv
from tests.browser.conftest import Shots, sign_up
from tests.browser.test_apps_playground_sandbox import earn_apps, upload

pytestmark = [pytest.mark.browser, pytest.mark.integration]

RUN_TIMEOUT = 120_000


def test_forecast_page_shows_period_backtest_and_bands(
    page: Page, stack: Stack, shots: Shots
) -> None:
    username = sign_up(page, stack.base_url, "forecast")
    # Seven days missing, one repeated and one non-date row.
    upload(page, "sales.csv", weekly_csv(), f"{DAYS - 7 + 2:,} rows")
    earn_apps(stack.base_url, username)

    page.goto(f"{stack.base_url}/apps/forecast")
    expect(page.locator("h1")).to_have_text("Time-Series Forecaster")
    page.fill("[data-forecast-date]", "day")
    page.fill("[data-forecast-value]", "sales")
    page.click("[data-app-start]")
    expect(page.locator("[data-analysis-status=completed]")).to_be_visible(timeout=RUN_TIMEOUT)
    expect(page.locator("[data-periods] tr.winner-row td").first).to_have_text("7")
    expect(page.locator("[data-cleaning-step=duplicates_averaged]")).to_contain_text("averaged")
    expect(page.locator("[data-cleaning-step=gaps_filled]")).to_contain_text("7 missing D steps")
    expect(page.locator("[data-backtest] tbody tr")).to_have_count(4)
    for chart in ("acf", "timeseries", "backtest", "forecast"):
        expect(page.locator(f"canvas[data-chart={chart}][data-drawn]").first).to_be_visible()
    shots(page, "forecast-1440")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#view-forecast")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    shots(page, "forecast-390")
