"""Issue 18 §6 in Chromium: the profile's tokens section (revoke), log out everywhere, the
admin's roles page — with the Content-Security-Policy on (the context fixture fails on any
violation)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.supervisor.stack import Stack
from tests.browser.conftest import ADMIN, PASSWORD, Shots, sign_up
from tests.browser.test_dashboards import sign_up_as

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_tokens_revoke_and_log_out_everywhere(page: Page, stack: Stack, shots: Shots) -> None:
    base = stack.base_url
    username = sign_up(page, base, "tok")
    with httpx.Client(base_url=base, timeout=60) as api:
        body = {"username": username, "password": PASSWORD}
        tokens = [api.post("/api/auth/token", json=body).json()["data"]["token"] for _ in range(2)]
        page.goto(f"{base}/profile")
        rows = page.locator("#account-security table.tokens tbody tr")
        expect(rows).to_have_count(2)
        shots(page, "profile-tokens")
        # On a phone the token table scrolls inside its panel; the page does not widen.
        page.set_viewport_size({"width": 390, "height": 844})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, overflow
        page.set_viewport_size({"width": 1440, "height": 900})
        rows.first.locator("button", has_text="Revoke").click()
        expect(page.locator("#account-security")).to_contain_text("Token revoked")
        expect(rows).to_have_count(1)
        alive = [
            api.get("/api/me", headers={"Authorization": f"Bearer {t}"}).status_code for t in tokens
        ]
        assert sorted(alive) == [200, 401]
        shots(page, "one-token-revoked")

        page.click("text=Log out everywhere")
        page.wait_for_url("**/login")
        assert all(
            api.get("/api/me", headers={"Authorization": f"Bearer {t}"}).status_code == 401
            for t in tokens
        )
    page.goto(f"{base}/notebook")
    page.wait_for_url("**/login")


def test_admin_sets_a_role(page: Page, stack: Stack, shots: Shots) -> None:
    base = stack.base_url
    learner_page = page.context.new_page()
    teacher = sign_up(learner_page, base, "future-teacher")
    learner_page.close()
    page.context.clear_cookies()
    sign_up_as(page, base, ADMIN)
    page.click("nav >> text=Roles")
    page.wait_for_url("**/admin/users")
    page.fill("#role-username", teacher)
    page.select_option("#role-select", "instructor")
    page.click("text=Set role")
    expect(page.locator("#roles")).to_contain_text(f"{teacher} is now instructor")
    expect(page.locator("#roles table.staff")).to_contain_text(teacher)
    shots(page, "roles")
