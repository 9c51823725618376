"""An admin sees what the server lets them see: the Author link in the nav, and the private
scores of a challenge board (the policy in gateway/policy.py, asked by the templates)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.common.curriculum import load_catalog
from services.execution.config import default_curriculum_dir
from services.supervisor.stack import Stack
from tests.browser.conftest import ADMIN_NAV, PASSWORD, Shots
from tests.browser.test_dashboards import sign_up_as

pytestmark = [pytest.mark.browser, pytest.mark.integration]

FIRST = load_catalog(default_curriculum_dir()).tracks[0].challenges[0]


def test_admin_sees_author_link_and_private_scores(page: Page, stack: Stack, shots: Shots) -> None:
    base = stack.base_url
    with httpx.Client(base_url=base, timeout=120) as learner:
        body = {"username": f"ria{uuid.uuid4().hex[:6]}", "password": PASSWORD}
        assert learner.post("/api/auth/register", json=body).status_code == 201
        token = learner.post("/api/auth/token", json=body).json()["data"]["token"]
        learner.headers["Authorization"] = f"Bearer {token}"
        submitted = learner.post(
            f"/api/challenges/{FIRST.slug}/submissions", json={"code": FIRST.solution}
        )
        assert submitted.status_code == 201, submitted.text
        # A learner's own board keeps the private standing out until it is revealed.
        board = learner.get(f"/api/leaderboards/{FIRST.slug}").json()["data"]
        revealed = board["privateRevealed"]

    sign_up_as(page, base, ADMIN_NAV)
    expect(page.locator(".cm-content")).to_be_visible()
    nav = page.locator("nav.nav")
    for link in ("/author", "/dashboards", "/platform"):
        expect(nav.locator(f'a[href="{link}"]')).to_have_count(1)
    shots(page, "notebook-as-admin")

    page.goto(f"{base}/challenges/{FIRST.slug}")
    header = page.locator("#board thead")
    expect(header).to_contain_text("Private score")
    # Rank, learner, public score, private score, final rank, submissions.
    expect(page.locator("#board tbody tr").first.locator("td")).to_have_count(6)
    shots(page, "challenge-as-admin")
    assert not revealed, "the board was revealed: the admin case would prove nothing"
