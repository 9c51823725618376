"""Concept drift end to end through the gateway, the sandbox (the run and its export),
serving and NATS: deploy → predict → true labels sent back (first as the model learned
them, then with the concept flipped) → the performance report flags concept drift against
the run's training accuracy → serving.concept_drift.detected.v1 on the stream → the
deployment page's panel (the empty state with its curl, then the chart, in Chromium)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
import pytest
from ascent.events.v1 import serving_pb2 as events_pb

from services.supervisor.stack import Stack
from tests.apps.conftest import register
from tests.apps.test_explorer_flow import session_with
from tests.serving.test_deploy_flow import FOREST_RUN, dataset, predict, run
from tests.support import lanes
from tests.support.harness import event_bus, stream_events
from tests.support.polling import eventually

PASSWORD = "correct horse 42"


@dataclass(frozen=True)
class Learner:
    username: str
    auth: dict[str, str]
    run_id: str


@pytest.fixture(scope="module")
def learner(stack: Stack) -> Iterator[Learner]:
    with httpx.Client(base_url=stack.base_url, timeout=180) as api:
        auth = {"Authorization": f"Bearer {register(api, 'concept-learner')}"}
        content, _frame = dataset()
        session_id = session_with(api, auth, content, "signs.csv")
        yield Learner("concept-learner", auth, run(api, auth, session_id, FOREST_RUN.format(n=10)))


def deploy(api: httpx.Client, learner: Learner, name: str) -> tuple[str, str]:
    response = api.post(
        "/api/apps/deploy/deployments",
        json={"runId": learner.run_id, "name": name},
        headers=learner.auth,
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    return str(data["deployment"]["id"]), str(data["apiKey"])


def traffic(
    api: httpx.Client, dep_id: str, key: str, seed: int, requests: int
) -> list[tuple[str, str]]:
    """(predictionId, the label of the sign rule the data was made with) per row."""
    rng = np.random.default_rng(seed)
    out: list[tuple[str, str]] = []
    for _ in range(requests):
        values = rng.normal(size=(100, 6))
        rows = [{f"x{i}": float(v[i]) for i in range(6)} for v in values]
        answer = predict(api, dep_id, key, {"rows": rows})
        assert answer.status_code == 200, answer.text
        ids = answer.json()["data"]["predictionIds"]
        assert len(ids) == 100 and len(set(ids)) == 100
        truth = ["yes" if v[0] + v[1] > 0 else "no" for v in values]
        out.extend(zip(ids, truth, strict=True))
    return out


def send(api: httpx.Client, dep_id: str, key: str, body: object) -> httpx.Response:
    return api.post(
        f"/api/models/{dep_id}/feedback",
        content=body if isinstance(body, bytes) else json.dumps(body),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )


def labels(pairs: list[tuple[str, str]], flip: bool = False) -> dict[str, Any]:
    other = {"yes": "no", "no": "yes"}
    return {"labels": [{"predictionId": i, "label": other[t] if flip else t} for i, t in pairs]}


def performance(api: httpx.Client, learner: Learner, dep_id: str, **params: Any) -> dict[str, Any]:
    got = api.get(f"/api/models/{dep_id}/performance", params=params, headers=learner.auth)
    assert got.status_code == 200, got.text
    data: dict[str, Any] = got.json()["data"]
    return data


@contextmanager
def logged_in(stack: Stack, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, timeout=60) as browser:
        login = browser.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert csrf is not None
        form = {"username": username, "password": PASSWORD, "csrf_token": csrf[1]}
        browser.post("/login", data=form)
        yield browser


def test_labels_that_go_wrong_flag_concept_drift_once(
    api: httpx.Client, stack: Stack, learner: Learner
) -> None:
    dep_id, key = deploy(api, learner, "judged")
    # Before any label: the training score, nothing judged; the page says how to send them.
    empty = performance(api, learner, dep_id)
    assert empty["metric"] == "accuracy" and empty["labels"] == 0 and empty["points"] == []
    assert 0 < empty["trainingScore"] <= 1 and not empty["conceptDrift"]
    with logged_in(stack, learner.username) as browser:
        page = browser.get(f"/apps/deploy/{dep_id}")
    assert page.status_code == 200, page.text[-500:]
    assert "data-performance-empty" in page.text
    assert f"/api/models/{dep_id}/feedback" in page.text and "predictionIds" in page.text

    # The concept as trained: labels follow the rule, the rolling accuracy stays near training.
    calm = traffic(api, dep_id, key, seed=1, requests=2)
    sent = send(api, dep_id, key, labels(calm))  # straight after predict: the log may lag
    assert sent.status_code == 200, sent.text
    assert sent.json()["data"] == {"accepted": 200, "updated": 0}
    steady = performance(api, learner, dep_id, accuracyDrop=0.3)
    assert steady["labels"] == 200 and steady["currentScore"] > 0.75, steady
    assert not steady["conceptDrift"] and steady["detectedAt"] == ""

    # Refusals are 4xx that say what is wrong, and store nothing.
    assert send(api, dep_id, "asc_wrong", labels(calm[:1])).status_code == 401
    unknown = send(
        api, dep_id, key, {"labels": [{"predictionId": "f" * 32 + "-0", "label": "yes"}]}
    )
    assert unknown.status_code == 422 and "labels[0].predictionId" in unknown.text
    wrong = send(api, dep_id, key, {"labels": [{"predictionId": calm[0][0], "label": "maybe"}]})
    assert wrong.status_code == 400 and "not one of the classes" in wrong.text
    typed = send(api, dep_id, key, {"labels": [{"predictionId": calm[0][0], "label": [1]}]})
    assert typed.status_code == 400 and "labels[0].label" in typed.text
    assert send(api, dep_id, key, b"x" * 1_100_000).status_code == 413
    many = {"labels": [{"predictionId": f"{'a' * 32}-{i}", "label": "no"} for i in range(1_001)]}
    too_many = send(api, dep_id, key, many)
    assert too_many.status_code in (400, 413) and "At most 1,000 labels" in too_many.text
    assert performance(api, learner, dep_id)["labels"] == 200

    # The world changes: the same inputs now mean the opposite. The newest window falls far
    # below the training accuracy.
    flipped = traffic(api, dep_id, key, seed=2, requests=2)
    assert send(api, dep_id, key, labels(flipped, flip=True)).status_code == 200
    report = performance(api, learner, dep_id, window=100)
    assert report["labels"] == 400 and report["conceptDrift"], report
    assert report["currentScore"] < 0.25 and report["currentScore"] < report["thresholdScore"]
    assert report["thresholdScore"] == pytest.approx(report["trainingScore"] - 0.1)
    assert report["points"][-1]["labels"] == 400 and report["detectedAt"]
    scores = [p["score"] for p in report["points"]]
    assert scores[0] > 0.75 and scores[-1] < 0.25  # the chart: from trained to flipped
    # A label sent again replaces the first one.
    again = send(api, dep_id, key, labels(flipped[:5], flip=True))
    assert again.json()["data"] == {"accepted": 0, "updated": 5}

    async def alerts() -> list[events_pb.ConceptDriftDetected]:
        async with event_bus(stack.nats_url) as bus:
            found = await stream_events(
                bus, "serving.concept_drift.detected.v1", events_pb.ConceptDriftDetected
            )
        return [e for e in found if e.deployment_id == dep_id]

    eventually(lambda: len(asyncio.run(alerts())) == 1, timeout=30)
    performance(api, learner, dep_id)  # judged again: still one event for the version
    (alert,) = asyncio.run(alerts())
    assert alert.metric == "accuracy" and alert.version == 1 and alert.window_labels == 100
    assert alert.current_score < alert.threshold < alert.training_score

    # Another learner cannot read it.
    other = {"Authorization": f"Bearer {register(api, 'concept-other')}"}
    assert api.get(f"/api/models/{dep_id}/performance", headers=other).status_code == 404


@pytest.mark.browser
def test_the_deployment_page_draws_the_rolling_score_against_training(
    api: httpx.Client, stack: Stack, learner: Learner
) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS, Shots, _chromium

    dep_id, key = deploy(api, learner, "charted")
    shots = Shots("test_deploy_concept_drift_panel")
    lanes.require("Chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 960})
        violations: list[str] = []
        context.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page = context.new_page()
        page.goto(f"{stack.base_url}/login")
        page.fill("input[name=username]", learner.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{stack.base_url}/apps/deploy/{dep_id}#performance")
        empty = page.locator("[data-performance-empty]")
        assert empty.is_visible() and "curl" in empty.inner_text()
        page.locator("#performance").scroll_into_view_if_needed()
        shots(page, "empty-state-with-curl")

        send(api, dep_id, key, labels(traffic(api, dep_id, key, seed=3, requests=1)))
        flipped = traffic(api, dep_id, key, seed=4, requests=1)
        assert send(api, dep_id, key, labels(flipped, flip=True)).status_code == 200
        page.goto(f"{stack.base_url}/apps/deploy/{dep_id}?labels_window=50#performance")
        panel = page.locator("#performance")
        canvas = panel.locator("canvas[data-chart=performance]")
        canvas.wait_for()
        page.wait_for_function(
            "() => document.querySelector('canvas[data-chart=performance]').dataset.drawn === '1'"
        )
        assert panel.locator("[data-concept-badge]").is_visible()
        assert page.locator("[data-concept-drift-badge]").is_visible()
        assert "concept drift" in panel.inner_text()
        box = canvas.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
        panel.scroll_into_view_if_needed()
        shots(page, "rolling-accuracy-below-training", full_page=False)
        # The window the learner set stays in the form.
        assert panel.locator("input[name=labels_window]").input_value() == "50"
        context.close()
        browser.close()
    assert not violations, violations
