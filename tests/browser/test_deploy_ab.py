"""A/B testing and the traffic simulator on the deployment page in a real browser, at 1440 px
and on a 390 px phone: two versions deployed for real (sandbox exports), the split set with
the page's form, the per-version metrics side by side, then simulated traffic with a shift
and the drift report flagging that feature."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.supervisor.stack import Stack
from tests.apps.test_explorer_flow import session_with
from tests.browser.conftest import PASSWORD, Shots, sign_up
from tests.browser.test_apps_playground_sandbox import earn_apps
from tests.serving.test_deploy_flow import FOREST_RUN, dataset, run

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SIMULATE_TIMEOUT = 90_000
# The innermost elements sticking out of a phone's screen (for the failure message).
WIDER_THAN_THE_SCREEN = """
[...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 8)
  .map(e => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${e.className}: `
    + Math.round(e.getBoundingClientRect().right))
"""


def two_versions(base_url: str, username: str) -> str:
    """v1 and v2 of one deployment, and 40 predictions under a 50/50 split."""
    with httpx.Client(base_url=base_url, timeout=180) as api:
        body = {"username": username, "password": PASSWORD}
        token = api.post("/api/auth/token", json=body).json()["data"]["token"]
        auth = {"Authorization": f"Bearer {token}"}
        content, frame = dataset()
        session_id = session_with(api, auth, content, "signs.csv")
        first = api.post(
            "/api/apps/deploy/deployments",
            json={"runId": run(api, auth, session_id, FOREST_RUN.format(n=10)), "name": "signs"},
            headers=auth,
        )
        assert first.status_code == 201, first.text
        dep_id, key = first.json()["data"]["deployment"]["id"], first.json()["data"]["apiKey"]
        second = api.post(
            "/api/apps/deploy/deployments",
            json={
                "runId": run(api, auth, session_id, FOREST_RUN.format(n=30)),
                "deploymentId": dep_id,
            },
            headers=auth,
        )
        assert second.status_code == 201, second.text
        half = {"versions": [{"version": 1, "share": 0.5}, {"version": 2, "share": 0.5}]}
        assert api.put(f"/api/models/{dep_id}/split", json=half, headers=auth).status_code == 200
        for k in range(40):
            # Three training rows per request, different ones each time (the same rows over
            # and over would look drifted, rightly).
            rows = [
                {f"x{i}": float(frame[f"x{i}"].iloc[3 * k + j]) for i in range(6)} for j in range(3)
            ]
            answer = api.post(
                f"/api/models/{dep_id}/predict",
                content=json.dumps({"rows": rows}),
                headers={
                    "Authorization": f"Bearer {key}",
                    "Content-Type": "application/json",
                    "X-Request-Id": uuid.uuid4().hex,
                },
            )
            assert answer.status_code == 200, answer.text
    return str(dep_id)


def test_ab_split_metrics_and_simulated_drift_on_the_deployment_page(
    page: Page, stack: Stack, shots: Shots
) -> None:
    username = sign_up(page, stack.base_url, "abtest")
    earn_apps(stack.base_url, username)
    dep_id = two_versions(stack.base_url, username)

    page.goto(f"{stack.base_url}/apps/deploy/{dep_id}")
    ab = page.locator("#ab")
    expect(ab).to_contain_text("Live split: v1 50% · v2 50%")
    expect(ab.locator("th[data-metrics-version]")).to_have_count(2)

    # The split control: 20 / 80, answered by the panel with the split now live.
    page.fill("input[name=share_1]", "20")
    page.fill("input[name=share_2]", "80")
    page.click("[data-split-form] button[type=submit]:not([name])")
    expect(page.locator("#ab")).to_contain_text("Live split: v1 20% · v2 80%")
    # The logged requests of both versions, side by side (the writer flushes in batches).
    page.reload()
    cells = page.locator("#ab td[data-requests]")
    expect(cells).to_have_count(2)
    total = sum(int(cells.nth(i).get_attribute("data-requests") or 0) for i in range(2))
    assert total == 40, total
    ab.scroll_into_view_if_needed()
    page.locator("#ab").screenshot(path=str(shots.folder / "section-ab-1440.png"))

    # The simulator: 60 requests × 10 rows, x0 shifted by +2 std.
    page.fill("[data-simulator] input[name=requests]", "60")
    page.fill("[data-simulator] input[name=rows_per_request]", "10")
    page.select_option("[data-simulator] select[name=kind]", "shift")
    page.select_option("[data-simulator] select[name=feature]", "x0")
    page.fill("[data-simulator] input[name=amount]", "2")
    page.click("[data-simulator] button[type=submit]")
    expect(page.locator("[data-simulation]")).to_be_visible(timeout=SIMULATE_TIMEOUT)
    expect(page.locator("[data-simulation]")).to_contain_text("Sent 60 of 60 requests")
    # The drift report and the A/B panel were swapped in with the simulated traffic.
    expect(page.locator('#drift tr[data-drifted="x0"]')).to_be_visible()
    expect(page.locator("#drift tr[data-drifted]")).to_have_count(1)
    page.locator("#simulator").screenshot(path=str(shots.folder / "section-simulator-1440.png"))
    page.locator("#drift").screenshot(path=str(shots.folder / "section-drift-1440.png"))
    shots(page, "deployment-1440")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator('#drift tr[data-drifted="x0"]')).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(WIDER_THAN_THE_SCREEN)
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px): {wide}"
    page.locator("#ab").screenshot(path=str(shots.folder / "section-ab-390.png"))
    page.locator("#simulator").screenshot(path=str(shots.folder / "section-simulator-390.png"))
    shots(page, "deployment-390")
