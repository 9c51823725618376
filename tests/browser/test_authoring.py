"""The authoring pages in Chromium: an instructor creates a challenge, writes the lesson with
its live preview, uploads the CSV (inferred task type, profile warnings), validates (the
reference score against the threshold, the starter's status) and publishes; a learner is
refused the pages."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from services.supervisor.stack import Stack
from tests.browser.conftest import INSTRUCTOR, PASSWORD, Shots, sign_up
from tests.integration.test_authoring_flow import SOLUTION, STARTER, dataset


def test_instructor_creates_validates_and_publishes(
    page: Page, stack: Stack, shots: Shots, tmp_path: Path
) -> None:
    page.goto(f"{stack.base_url}/login")
    page.fill("input[name=username]", "instructor")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/notebook/*")

    page.click("nav >> text=Author")
    page.wait_for_url("**/author")
    page.fill("#new-title", "Browser-made challenge")
    page.click("text=Create draft")
    page.wait_for_url("**/author/browser-made-challenge")
    expect(page.locator("#author-status")).to_have_text("draft")
    shots(page, "new-draft")

    # Sharing the draft with another instructor, from the editor's Editors panel.
    editors = page.locator("#author-editors")
    expect(editors).to_contain_text("Author: instructor (you)")
    editors.locator("input[name=username]").fill("nobody-here")
    editors.get_by_role("button", name="Share").click()
    expect(page.locator("[role=alert]")).to_contain_text("No user with that username")
    editors.locator("input[name=username]").fill(INSTRUCTOR)
    editors.get_by_role("button", name="Share").click()
    expect(page.locator("[role=status]")).to_contain_text(f"{INSTRUCTOR} can now edit")
    expect(editors.locator(".editor-name")).to_have_text([INSTRUCTOR])
    shots(page, "shared")
    page.once("dialog", lambda dialog: dialog.accept())
    editors.get_by_role("button", name="Remove").click()
    expect(page.locator("[role=status]")).to_contain_text(f"{INSTRUCTOR} can no longer edit")
    expect(editors.locator(".editor-name")).to_have_count(0)

    # The Remove answer swapped the whole editor: htmx binds the new textarea's live preview
    # when the swap settles, and a fill before that sent no preview at all (about 1 run in
    # 4): wait for the settle, as a learner's first keystroke always does.
    page.wait_for_function(
        "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    with page.expect_response("**/author/preview", timeout=15_000) as preview:
        page.fill("textarea[name=lessonMarkdown]", "# Yes or no\nPredict **label** from x1 and x2.")
    assert preview.value.status == 200, preview.value.status
    expect(page.locator("#lesson-preview h1")).to_have_text("Yes or no")
    expect(page.locator("#lesson-preview strong")).to_have_text("label")
    page.fill("input[name=summary]", "A tiny binary task")
    page.select_option("select[name=track]", "beginner")
    page.select_option("select[name=metric]", "accuracy")
    page.fill("input[name=passThreshold]", "0.8")
    page.fill("textarea[name=hints]", "Look at x1 and x2.\nA linear model is enough.")
    page.fill("textarea[name=starterCode]", STARTER)
    page.fill("textarea[name=solution]", SOLUTION)
    page.click("text=Save")
    expect(page.locator("[role=status]")).to_contain_text("Saved")

    csv_path = tmp_path / "yes.csv"
    csv_path.write_bytes(dataset())
    page.set_input_files("#author-dataset input[type=file]", str(csv_path))
    page.fill("#author-dataset input[name=target]", "label")
    page.click("text=Upload CSV")
    expect(page.locator("#task-type")).to_have_text("classification")
    expect(page.locator("[data-kind=id_column]")).to_contain_text("row_id")
    shots(page, "dataset-profiled")

    page.get_by_role("button", name="Validate", exact=True).click()
    expect(page.locator("#validation-report")).to_contain_text("Ready to publish", timeout=90_000)
    expect(page.locator("#reference-result")).to_contain_text("vs threshold 0.8 — passes")
    expect(page.locator("#starter-result")).to_have_text("ok")
    shots(page, "validated")

    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator("#author-status")).to_have_text("published", timeout=90_000)
    expect(page.locator("[role=status]")).to_contain_text("Published")
    shots(page, "published")

    page.goto(f"{stack.base_url}/author")
    expect(page.locator("tr[data-slug=browser-made-challenge]")).to_contain_text("published")
    shots(page, "list")

    # In the Beginner track beside the curriculum's challenges, with its own page.
    page.goto(f"{stack.base_url}/tracks")
    page.click("text=Browser-made challenge")
    page.wait_for_url("**/challenges/browser-made-challenge")
    expect(page.locator(".lesson h1")).to_have_text("Yes or no")
    expect(page.locator("body")).not_to_contain_text("LogisticRegression(max_iter=500)")
    shots(page, "learner-page")


def test_learners_are_refused_the_authoring_pages(page: Page, stack: Stack) -> None:
    sign_up(page, stack.base_url)
    expect(page.locator("nav")).not_to_contain_text("Author")
    response = page.goto(f"{stack.base_url}/author")
    assert response is not None and response.status == 403
