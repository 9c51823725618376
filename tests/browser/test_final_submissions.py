"""Final submissions on the challenge page in a real browser: after three graded
submissions the learner's own list marks their 2 best by public score as counting by
default and says so; ticking one makes it their only final submission (the list and the
rule say so, and a reload keeps it); unticking returns to the default."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from services.supervisor.stack import Stack
from tests.browser.conftest import Shots, sign_up
from tests.browser.test_curriculum import FIRST, RUN_TIMEOUT

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CONSTANT = (
    "import pandas as pd\nimport ascent_report\n"
    "X = pd.read_csv('/data/test_features.csv')\n"
    "ascent_report.predictions([{value}] * len(X))\n"
)


def test_learner_selects_final_submissions(page: Page, stack: Stack, shots: Shots) -> None:
    sign_up(page, stack.base_url, prefix="finalist")
    page.goto(f"{stack.base_url}/challenges/{FIRST.slug}")
    finals = page.locator("#finals")
    expect(finals).to_contain_text("Your submissions")
    expect(finals).to_contain_text("No graded submissions yet.")

    # Three graded submissions: the reference solution and two constant guesses.
    for count, code in enumerate(
        (FIRST.solution, CONSTANT.format(value=0), CONSTANT.format(value=1)), start=1
    ):
        page.evaluate("(code) => window.ascentEditor.set(code)", code)
        page.click("#submit-btn")
        expect(page.locator("#submission .submission-verdict")).to_be_visible(timeout=RUN_TIMEOUT)
        # The list follows each submission (board-changed), newest first.
        expect(finals.locator("tbody tr")).to_have_count(count, timeout=30_000)
    rows = finals.locator("tbody tr")

    # None selected: the 2 best by public score count, and the page says so.
    expect(finals).to_contain_text("your 2 best by public score count")
    expect(finals).to_contain_text("best private score among the submissions you select")
    expect(finals.locator(".final-mark", has_text="by default")).to_have_count(2)
    expect(finals.locator("input[name=final]:checked")).to_have_count(0)
    shots(page, "default-final")

    # Tick the newest (a constant guess, not among the 2 best public): it alone counts now.
    newest = rows.first
    newest_id = newest.get_attribute("data-run-id")
    newest.locator("input[name=final]").check()
    expect(finals.locator(".final-mark", has_text="selected")).to_have_count(1)
    expect(finals.locator(".final-mark", has_text="by default")).to_have_count(0)
    expect(finals.locator(f"tr[data-run-id='{newest_id}'] .final-mark")).to_have_text("selected")
    expect(finals).not_to_contain_text("You have not selected any")
    finals.scroll_into_view_if_needed()
    shots(page, "selected-final")

    # A reload keeps the selection (stored by the leaderboard service).
    page.reload()
    expect(page.locator(f"#finals tr[data-run-id='{newest_id}'] input[name=final]")).to_be_checked()

    # Unticking returns to the default rule.
    page.locator(f"#finals tr[data-run-id='{newest_id}'] input[name=final]").uncheck()
    expect(page.locator("#finals .final-mark", has_text="by default")).to_have_count(2)
    shots(page, "back-to-default")
