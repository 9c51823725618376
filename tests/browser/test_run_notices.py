"""Issue 18 §4 on the page: a protocol line the platform refused is named on the run card,
live and after a reload (the notice is stored with the run)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from services.supervisor.stack import Stack
from tests.browser.conftest import Shots, sign_up
from tests.browser.test_notebook import run_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.integration]

NOTICE = "The CONFUSION_MATRIX: line was ignored: NaN is not a number JSON allows."


def test_a_refused_protocol_line_is_named_on_the_run_card(
    page: Page, stack: Stack, shots: Shots
) -> None:
    sign_up(page, stack.base_url)
    code = 'print("CONFUSION_MATRIX: [[NaN,1],[Infinity,-Infinity]]")\nprint("ACCURACY: 0.5")\n'
    page.evaluate("code => window.ascentEditor.set(code)", code)
    run_and_wait(page)
    notices = page.locator("#output .run-card [data-run-notices]")
    expect(notices).to_have_text(NOTICE)
    shots(page, "notice")
    page.reload()
    page.wait_for_selector(".cm-content")
    expect(page.locator("#output .run-card [data-run-notices]")).to_have_text(NOTICE)
    shots(page, "after-reload")
