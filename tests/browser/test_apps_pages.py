"""Every app page, at 1440 px and on a 390 px phone, loads without a console error, a failed
request or an error response (a missing /favicon.ico was one on every page). A new learner
without an upload opens an app on a built-in dataset, and the pages then show it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Request, Response, expect

from services.supervisor.stack import Stack
from tests.browser.conftest import Shots, sign_up
from tests.browser.test_apps_playground_sandbox import earn_apps

pytestmark = [pytest.mark.browser, pytest.mark.integration]

APPS = ("explorer", "features", "training", "automl", "explain")


def watch(page: Page) -> list[str]:
    """Every console error, failed request and 4xx/5xx response of the page, as text."""
    seen: list[str] = []

    def failed(request: Request) -> None:
        # A live-events stream (SSE) is cut when the learner moves to another page.
        if request.url.endswith("/events") and request.failure == "net::ERR_ABORTED":
            return
        seen.append(f"failed {request.url}: {request.failure}")

    def answered(response: Response) -> None:
        if response.status >= 400:
            seen.append(f"{response.status} {response.url}")

    page.on(
        "console",
        lambda message: (
            seen.append(f"console: {message.text} ({message.location.get('url')})")
            if message.type == "error"
            else None
        ),
    )
    page.on("requestfailed", failed)
    page.on("response", answered)
    return seen


def test_every_app_page_is_clean_at_both_widths(page: Page, stack: Stack, shots: Shots) -> None:
    problems = watch(page)
    username = sign_up(page, stack.base_url, "app-pages")

    # No upload yet: the explorer offers the built-in datasets; one opens a session on it.
    page.goto(f"{stack.base_url}/apps/explorer")
    expect(page.locator(".panel")).to_contain_text("No dataset yet")
    shots(page, "no-dataset-1440")
    page.select_option("#app-builtin", "wine")
    page.click("[data-app-builtin]")
    expect(page.locator(".app-controls")).to_contain_text("wine.csv")
    expect(page.locator(".app-controls")).to_contain_text("178 rows")
    expect(page.locator(".app-controls")).to_contain_text("cultivar")
    # The playground and the sandbox open (two challenges passed): their controls show too,
    # the sandbox's with where its ranges come from before any training.
    earn_apps(stack.base_url, username)
    page.goto(f"{stack.base_url}/apps/training")
    expect(page.locator("[data-starting-points]")).to_be_visible()

    for width, height in ((1440, 960), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for path in ("/apps", *(f"/apps/{slug}" for slug in APPS)):
            page.goto(f"{stack.base_url}{path}")
            expect(page.locator("h1")).to_be_visible()
            page.wait_for_load_state("load")
            page.wait_for_timeout(400)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{path} scrolls sideways at {width} px ({scroll} px)"
            label = path.strip("/").replace("/", "-")
            shots(page, f"{label}-{width}")
    expect(page.locator("link[rel=icon]")).to_have_attribute("href", re.compile("favicon"))
    assert not problems, "\n".join(problems)
