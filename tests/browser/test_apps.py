"""The Data Explorer in a real browser, at 1440 px and on a 390 px phone: a learner uploads a
CSV in the notebook, opens the app, watches the analysis stream in with its progress bar,
finds it again after a reload, reads the code, and applies a recommendation."""

from __future__ import annotations

import re

import grpc
import pytest
from ascent.analytics.v1 import analytics_service_pb2 as analytics_pb
from ascent.analytics.v1 import analytics_service_pb2_grpc as analytics_grpc
from playwright.sync_api import FilePayload, Page, expect

from services.supervisor.stack import Stack
from tests.apps.test_explorer_flow import wine_csv
from tests.browser.conftest import Shots, sign_up
from tests.support.polling import eventually

pytestmark = [pytest.mark.browser, pytest.mark.integration]

RUN_TIMEOUT = 90_000


def subject_count(stack: Stack, subject: str) -> int:
    with grpc.insecure_channel(stack.addr("analytics")) as channel:
        reply = analytics_grpc.AnalyticsServiceStub(channel).GetEventCounts(
            analytics_pb.GetEventCountsRequest(), timeout=5
        )
    return sum(c.count for c in reply.counts if c.subject == subject)


def upload_wine(page: Page) -> None:
    content, _ = wine_csv()
    page.set_input_files(
        "#dataset-file", files=FilePayload(name="wine.csv", mimeType="text/csv", buffer=content)
    )
    expect(page.locator("#dataset")).to_contain_text("178 rows")


def test_explorer_streams_is_remembered_and_applies(page: Page, stack: Stack, shots: Shots) -> None:
    sign_up(page, stack.base_url, "explorer")
    upload_wine(page)
    notebook_url = page.url

    page.goto(f"{stack.base_url}/tracks")
    expect(page.locator("#tracks [data-app=explorer]")).to_contain_text("Open to everyone")
    page.goto(f"{stack.base_url}/apps")
    expect(page.locator("[data-app=explorer]")).to_contain_text("Open to everyone")
    expect(page.locator("[data-app=features]")).to_contain_text("Unlocks after you pass 1")
    shots(page, "apps")
    page.click("[data-app=explorer] a")
    expect(page.locator("h1")).to_have_text("Data Explorer")
    expect(page.locator(".app-controls")).to_contain_text("wine.csv")

    page.click("[data-app-start]")
    expect(page.locator("[data-app-progress]")).to_be_visible()
    expect(page.locator("#view-overview")).to_be_visible(timeout=RUN_TIMEOUT)
    expect(page.locator("[data-analysis-status=completed]")).to_be_visible(timeout=RUN_TIMEOUT)
    expect(page.locator("#view-quality .quality-score")).to_contain_text("/ 100")
    expect(page.locator("#view-columns canvas[data-drawn]").first).to_be_visible()
    expect(page.locator("[data-column=bottle_id]")).to_contain_text("id")
    expect(page.locator("[data-recommendation^='leak:']")).to_contain_text("Suspected leak")
    shots(page, "explorer-1440")

    # Any two columns, coloured by the target.
    page.select_option("[data-scatter-x]", "alcohol")
    page.select_option("[data-scatter-y]", "proline")
    page.locator("#view-scatter").scroll_into_view_if_needed()
    shots(page, "scatter", full_page=False)

    # Leaving and coming back shows the stored result (no new run); leaving sends how long
    # each view was on screen (an apps.view.recorded.v1 event, counted by analytics).
    page.wait_for_timeout(1500)
    page.reload()
    eventually(lambda: subject_count(stack, "apps.view.recorded.v1") or None, timeout=30)
    expect(page.locator("[data-analysis-status=completed]")).to_be_visible()
    expect(page.locator("#view-correlations")).to_be_visible()
    page.click("summary:has-text('Show the code')")
    expect(page.locator(".app-code pre")).to_contain_text("IsolationForest")

    # Apply a recommendation: its code goes into the notebook after read_csv.
    leak = page.locator("[data-recommendation^='leak:']")
    leak.locator("button:has-text('Apply in the notebook')").click()
    expect(leak.locator("[data-decided=applied]")).to_contain_text("added to")
    page.goto(notebook_url)
    expect(page.locator(".cm-content")).to_contain_text("df = df.drop(columns=['grade'])")
    # The app's run is on the session's Runs board, marked with its app.
    expect(page.locator("#runs .badge-app")).to_contain_text("app: explorer")
    shots(page, "notebook-after-apply")


def test_explorer_on_a_phone(page: Page, stack: Stack, shots: Shots) -> None:
    sign_up(page, stack.base_url, "explorer-phone")
    upload_wine(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{stack.base_url}/apps/explorer")
    page.click("[data-app-start]")
    expect(page.locator("[data-analysis-status=completed]")).to_be_visible(timeout=RUN_TIMEOUT)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    expect(page.locator("#view-quality")).to_contain_text(re.compile(r"\d+(\.\d)? / 100"))
    shots(page, "explorer-390")
