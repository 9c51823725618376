"""Browser tests: Playwright drives Debian's Chromium against the whole stack.

The stack is the full-stack fixture of tests/integration (tests/support/fullstack.py), one
per package. Screenshots of every step go to test-artifacts/browser/ (kept by CI).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from services.supervisor.stack import Stack
from tests.support import lanes
from tests.support.fullstack import running_stack

CHROMIUM = os.environ.get("ASCENT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PASSWORD = "correct horse 42"
# Accounts registered under these names get the instructor / admin role.
INSTRUCTOR = "instructor-br"
ADMIN = "admin-br"
# A second admin, so that tests registering an admin do not depend on each other's order.
ADMIN_NAV = "admin-br-nav"
# Created by the gateway at start with PASSWORD; "instructor" is the authoring test's account
# (as in tests/support/fullstack.py).
STAFF = {"instructor": "instructor", INSTRUCTOR: "instructor", ADMIN: "admin", ADMIN_NAV: "admin"}

playwright_sync = pytest.importorskip("playwright.sync_api")
if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page


def _chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    found = shutil.which("chromium")
    if found:
        return found
    message = "Chromium is missing: `make test` installs it (apt-get install chromium)."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError("unreachable")


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # Uploads capped at 10 MB here (200 MB by default) so the refusal test sends 11 MB, not 201.
    small_uploads = {"ASCENT_GATEWAY_MAX_UPLOAD_BYTES": str(10 * 1024 * 1024)}
    with running_stack(
        tmp_path_factory.mktemp("ascent-browser"), extra_env=small_uploads, staff=STAFF
    ) as running:
        yield running


@pytest.fixture(scope="package")
def browser(stack: Stack) -> Iterator[Browser]:
    lanes.require("Chromium")
    executable = _chromium()
    with playwright_sync.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A browser context whose pages must never break the Content-Security-Policy
    (gateway/security.py): Chromium logs every refused script, style, eval or frame on the
    console, and any such line fails the test."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 960})
    ctx.set_default_timeout(30_000)
    violations: list[str] = []
    ctx.on(
        "console",
        lambda message: (
            violations.append(f"{message.location.get('url')}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield ctx
    ctx.close()
    assert not violations, "CSP violations:\n" + "\n".join(violations)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


class Shots:
    """Numbered screenshots of one test, in test-artifacts/browser/<test>/."""

    def __init__(self, name: str) -> None:
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def __call__(self, page: Page, label: str, full_page: bool = True) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{label}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)


def sign_up(page: Page, base_url: str, prefix: str = "learner") -> str:
    """Registers a brand-new learner through the form; lands on the notebook."""
    username = f"{prefix}-{uuid.uuid4().hex[:8]}"
    page.goto(f"{base_url}/register")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/notebook/*")
    page.wait_for_selector(".cm-content")
    return username
