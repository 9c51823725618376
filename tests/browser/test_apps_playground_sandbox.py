"""The Feature Engineering Playground and the Model Training Sandbox in a real browser, at
1440 px and on a 390 px phone. The learner earns them as the catalog says (passing the first
two beginner challenges with their reference solutions), uploads a CSV, toggles a "what if"
and sees the cross-validated score change, then trains two models and watches the curves
grow and the comparison fill."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import FilePayload, Page, expect

from services.common.curriculum import load_catalog
from services.execution.config import default_curriculum_dir
from services.supervisor.stack import Stack
from tests.apps.test_explorer_flow import wine_csv
from tests.apps.test_training_flow import diabetes_csv
from tests.browser.conftest import PASSWORD, Shots, sign_up
from tests.support.polling import eventually

pytestmark = [pytest.mark.browser, pytest.mark.integration]

RUN_TIMEOUT = 120_000
BEGINNER = load_catalog(default_curriculum_dir()).tracks[0].challenges


def earn_apps(base_url: str, username: str) -> None:
    """Pass the first two beginner challenges for real: features opens after 1, training
    after 2 (curriculum/apps.yaml)."""
    with httpx.Client(base_url=base_url, timeout=120) as api:
        body = {"username": username, "password": PASSWORD}
        token = api.post("/api/auth/token", json=body).json()["data"]["token"]
        api.headers["Authorization"] = f"Bearer {token}"
        for challenge in BEGINNER[:2]:
            # The second opens once progress has recorded the first pass (an event later).
            def submitted(
                slug: str = challenge.slug, code: str = challenge.solution
            ) -> bool | None:
                response = api.post(f"/api/challenges/{slug}/submissions", json={"code": code})
                if response.status_code == 403:
                    return None
                assert response.status_code == 201, response.text
                return True

            eventually(submitted, timeout=60, what=f"{challenge.slug} is open and passed")

        def unlocked() -> bool | None:
            apps = {a["slug"]: a for a in api.get("/api/apps").json()["data"]}
            return True if apps["features"]["unlocked"] and apps["training"]["unlocked"] else None

        eventually(unlocked, timeout=60, what="passing two challenges unlocks both apps")


def upload(page: Page, name: str, content: bytes, rows: str) -> None:
    page.set_input_files(
        "#dataset-file", files=FilePayload(name=name, mimeType="text/csv", buffer=content)
    )
    expect(page.locator("#dataset")).to_contain_text(rows)


def test_playground_whatif_in_the_browser(page: Page, stack: Stack, shots: Shots) -> None:
    username = sign_up(page, stack.base_url, "playground")
    content, _ = wine_csv()
    upload(page, "wine.csv", content, "178 rows")
    earn_apps(stack.base_url, username)

    page.goto(f"{stack.base_url}/apps/features")
    expect(page.locator("h1")).to_have_text("Feature Engineering Playground")
    page.click("[data-app-start]")
    expect(page.locator("[data-app-progress]")).to_be_visible()
    expect(page.locator("[data-analysis-status=completed]")).to_be_visible(timeout=RUN_TIMEOUT)
    expect(page.locator("[data-leak=grade]")).to_contain_text("near copy")
    expect(page.locator("[data-suggestion='onehot:region'] .preview")).to_be_visible()
    expect(page.locator("#view-importance canvas[data-drawn]")).to_be_visible()
    before = page.locator("[data-score=baseline]").inner_text()
    shots(page, "playground-1440")

    # What if: drop the leak; the variant is cross-validated for real.
    page.check("[data-feature=grade] input[type=checkbox]")
    page.select_option("[data-feature=proline] select", "log")
    page.click("[data-whatif-submit]")
    expect(page.locator("#view-whatif")).to_contain_text("grade → drop", timeout=RUN_TIMEOUT)
    expect(page.locator("[data-analysis-status=completed]")).to_be_visible(timeout=RUN_TIMEOUT)
    assert page.locator("[data-score=baseline]").inner_text() == before
    delta = page.locator("[data-score=delta]").inner_text()
    assert delta.startswith(("+", "-")), delta
    expect(page.locator("#view-whatif canvas[data-drawn]")).to_be_visible()
    # The toggles are kept on the stored result, and the pipeline no longer has the leak.
    page.reload()
    expect(page.locator("[data-feature=grade] input[type=checkbox]")).to_be_checked()
    expect(page.locator("#view-pipeline pre")).not_to_contain_text("'grade'")
    page.locator("#view-whatif").scroll_into_view_if_needed()
    shots(page, "playground-whatif", full_page=False)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#view-whatif")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    shots(page, "playground-390")


def test_sandbox_curves_and_comparison_in_the_browser(
    page: Page, stack: Stack, shots: Shots
) -> None:
    username = sign_up(page, stack.base_url, "sandbox")
    upload(page, "diabetes.csv", diabetes_csv(), "442 rows")
    earn_apps(stack.base_url, username)

    page.goto(f"{stack.base_url}/apps/training")
    expect(page.locator("h1")).to_have_text("Model Training Sandbox")
    # Before any training the page says where its ranges come from (nothing learnt yet).
    expect(page.locator("[data-starting-points]")).to_contain_text("documented defaults")
    page.select_option("[data-model-select]", "boosting")
    expect(page.locator("[data-model-params=boosting]")).to_be_visible()
    expect(page.locator("[data-model-params=forest]")).to_be_hidden()
    page.fill("[data-model-params=boosting] [data-option='params.n_estimators']", "60")
    page.click("[data-app-start]")
    # The learning curve grows while the program runs (before the analysis ends).
    learning = page.locator("canvas[data-curve-chart=learning]")
    expect(learning).to_be_visible(timeout=RUN_TIMEOUT)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-curve-point][data-added]').length > 0",
        timeout=RUN_TIMEOUT,
    )
    assert page.locator("[data-analysis-status=completed]").count() == 0, "drawn while running"
    expect(page.locator("[data-analysis-status=completed]")).to_be_visible(timeout=RUN_TIMEOUT)
    expect(page.locator("[data-reading]")).not_to_be_empty()
    expect(page.locator("canvas[data-curve-chart=stages]")).to_be_visible()
    added = page.locator("[data-curve-point][data-added]").count()
    assert added >= 7 + 5 + 30, f"every curve point drawn ({added})"
    expect(page.locator("[data-range=learning_rate]")).to_contain_text("documented default")
    shots(page, "sandbox-1440")

    # A second model: the comparison dashboard lists both, best validation first.
    page.select_option("[data-model-select]", "tree")
    page.fill("[data-model-params=tree] [data-option='params.max_depth']", "3")
    page.click("[data-app-start]")
    # The first analysis's "completed" is on the page until the second's result replaces it:
    # wait for the second model itself (the comparison includes the training just finished).
    expect(page.locator("[data-comparison]")).to_contain_text("max_depth=3", timeout=RUN_TIMEOUT)
    expect(page.locator("[data-analysis-status=completed]")).to_be_visible()
    rows = page.locator("[data-comparison] tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("[data-comparison]")).to_contain_text("boosting")
    expect(page.locator("[data-comparison]")).to_contain_text("max_depth=3")
    expect(page.locator("[data-recommended]")).to_contain_text("1 trainings")
    page.locator("#view-comparison").scroll_into_view_if_needed()
    shots(page, "sandbox-comparison", full_page=False)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#view-evaluation")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    shots(page, "sandbox-390")
