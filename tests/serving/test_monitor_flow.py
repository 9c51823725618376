"""Monitoring end to end through the gateway, the sandbox (the export program computes the
training reference), serving and NATS: deploy → drifted traffic → the drift report names
the moved feature → serving.drift.detected.v1 on the stream → the badge on the page."""

from __future__ import annotations

import asyncio
import re

import httpx
import numpy as np
from ascent.events.v1 import serving_pb2 as events_pb

from services.supervisor.stack import Stack
from tests.apps.conftest import register
from tests.apps.test_explorer_flow import session_with
from tests.serving.test_deploy_flow import FOREST_RUN, dataset, predict, run
from tests.support.harness import event_bus, stream_events
from tests.support.polling import eventually

PASSWORD = "correct horse 42"


def test_drifted_traffic_is_detected_reported_and_alerted(api: httpx.Client, stack: Stack) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'monitor-learner')}"}
    content, frame = dataset()
    session_id = session_with(api, auth, content, "signs.csv")
    run_id = run(api, auth, session_id, FOREST_RUN.format(n=10))
    response = api.post(
        "/api/apps/deploy/deployments", json={"runId": run_id, "name": "watched"}, headers=auth
    )
    assert response.status_code == 201, response.text
    deployed = response.json()["data"]
    dep_id, key = deployed["deployment"]["id"], deployed["apiKey"]

    # Before any traffic: a reference exists, nothing is tested or flagged.
    before = api.get(f"/api/models/{dep_id}/drift", headers=auth)
    assert before.status_code == 200, before.text
    assert before.json()["data"]["hasReference"] and before.json()["data"]["drifted"] == []

    # Traffic like the training rows, except x0 moved by +3 of its std (5 requests × 100 rows).
    rng = np.random.default_rng(11)
    std = float(frame["x0"].std())
    for _ in range(5):
        values = rng.normal(size=(100, 6))
        values[:, 0] += 3 * std
        rows = [{f"x{i}": float(v[i]) for i in range(6)} for v in values]
        answer = predict(api, dep_id, key, {"rows": rows})
        assert answer.status_code == 200, answer.text

    def report() -> dict[str, object]:
        got = api.get(f"/api/models/{dep_id}/drift", params={"window": 500}, headers=auth)
        assert got.status_code == 200, got.text
        data: dict[str, object] = got.json()["data"]
        return data

    # The log writer flushes in batches: the report sees all 500 rows once they are in.
    eventually(lambda: report()["rows"] == 500, timeout=30)
    data = report()
    assert data["drifted"] == ["x0"], data["features"]
    features = data["features"]
    assert isinstance(features, list)
    x0 = features[0]
    assert x0["name"] == "x0" and x0["psi"] > 1.0 and x0["ksStatistic"] > 0.5
    assert x0["driftingSince"] and "std)" in x0["detail"]
    assert all(not f["drifted"] and f["psi"] < 0.2 for f in features[1:]), features
    # A threshold out of range is refused, not ignored.
    bad = api.get(f"/api/models/{dep_id}/drift", params={"psi": -1}, headers=auth)
    assert bad.status_code == 400

    async def alerts() -> list[events_pb.DriftDetected]:
        async with event_bus(stack.nats_url) as bus:
            found = await stream_events(bus, "serving.drift.detected.v1", events_pb.DriftDetected)
        return [e for e in found if e.deployment_id == dep_id]

    eventually(lambda: len(asyncio.run(alerts())) == 1, timeout=30)
    (alert,) = asyncio.run(alerts())
    assert alert.feature == "x0" and alert.test == "psi" and alert.value > 1.0

    # The deployment page: the badge and the root-cause table.
    with httpx.Client(base_url=stack.base_url, timeout=60) as browser:
        login = browser.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert csrf is not None
        form = {"username": "monitor-learner", "password": PASSWORD, "csrf_token": csrf[1]}
        browser.post("/login", data=form)
        page = browser.get(f"/apps/deploy/{dep_id}")
    assert page.status_code == 200, page.text[-500:]
    assert "data-drift-badge" in page.text and 'data-drifted="x0"' in page.text
    assert 'data-drifted="x1"' not in page.text
