"""A/B testing and the traffic simulator end to end through the gateway, the real sandbox
(two deploys), the real serving service and its database: deploy twice → split 50/50 → 200
predictions → both versions answered near half (the answer says which) → per-version
metrics from the prediction log → the split survives a restart of serving → the simulator
with a shift → the drift report flags that feature and nothing else."""

from __future__ import annotations

import json
import uuid
from collections import Counter

import httpx

from services.supervisor.stack import Stack
from tests.apps.conftest import register
from tests.apps.test_explorer_flow import session_with
from tests.serving.test_deploy_flow import FOREST_RUN, dataset, run
from tests.support.polling import eventually


def predict(
    api: httpx.Client, dep_id: str, key: str, rows: list[dict[str, float]], rid: str
) -> httpx.Response:
    return api.post(
        f"/api/models/{dep_id}/predict",
        content=json.dumps({"rows": rows}),
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "X-Request-Id": rid,
        },
    )


def test_split_routes_measures_survives_a_restart_and_the_simulator_drifts(
    api: httpx.Client, stack: Stack
) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'ab-learner')}"}
    content, frame = dataset()
    session_id = session_with(api, auth, content, "signs.csv")
    first = api.post(
        "/api/apps/deploy/deployments",
        json={"runId": run(api, auth, session_id, FOREST_RUN.format(n=10)), "name": "ab"},
        headers=auth,
    )
    assert first.status_code == 201, first.text
    dep_id, key = first.json()["data"]["deployment"]["id"], first.json()["data"]["apiKey"]
    second = api.post(
        "/api/apps/deploy/deployments",
        json={"runId": run(api, auth, session_id, FOREST_RUN.format(n=30)), "deploymentId": dep_id},
        headers=auth,
    )
    assert second.status_code == 201 and second.json()["data"]["version"]["version"] == 2

    # Validation: a clear 400 for what is not a split; another learner's deployment is 404.
    split_url = f"/api/models/{dep_id}/split"
    for bad, message in (
        ({"versions": [{"version": 1, "share": 0.5}, {"version": 2, "share": 0.4}]}, "sum"),
        ({"versions": [{"version": 1, "share": 0.5}, {"version": 9, "share": 0.5}]}, "v9"),
        ({"versions": [{"version": 1, "share": 0.5}]}, "2 or 3"),
    ):
        refused = api.put(split_url, json=bad, headers=auth)
        assert refused.status_code == 400 and message in refused.json()["error"]["message"]
    other = {"Authorization": f"Bearer {register(api, 'ab-other')}"}
    half = {"versions": [{"version": 1, "share": 0.5}, {"version": 2, "share": 0.5}]}
    assert api.put(split_url, json=half, headers=other).status_code == 404

    split = api.put(split_url, json=half, headers=auth)
    assert split.status_code == 200, split.text
    assert [a["version"] for a in split.json()["data"]["versions"]] == [1, 2]

    # 200 predictions with fresh request ids: both versions answer, near half each
    # (binomial sd ≈ 7; 70-130 is over 4 sd), and the answer says which one did.
    features = frame.drop(columns=["label"])
    # Each request one training row (a window of one repeated row would look drifted).
    training = [
        [{c: float(v) for c, v in zip(features.columns, row, strict=True)}]
        for row in features.to_numpy()
    ]
    rows = training[0]
    answered: Counter[int] = Counter()
    for j in range(200):
        answer = predict(api, dep_id, key, training[j], uuid.uuid4().hex)
        assert answer.status_code == 200, answer.text
        version = answer.json()["data"]["version"]
        assert answer.headers["X-Model-Version"] == str(version)
        answered[version] += 1
    assert set(answered) == {1, 2} and 70 <= answered[1] <= 130, answered
    # The same request id reaches the same version.
    sticky = {predict(api, dep_id, key, rows, "user-7").json()["data"]["version"] for _ in range(3)}
    assert len(sticky) == 1
    answered[sticky.pop()] += 3

    def metrics() -> dict[int, dict[str, object]]:
        got = api.get(f"/api/models/{dep_id}/metrics", headers=auth)
        assert got.status_code == 200, got.text
        return {m["version"]: m for m in got.json()["data"]["versions"]}

    # Per-version metrics from the prediction log (written in batches: wait for all 203).
    eventually(lambda: sum(int(m["ok"]) for m in metrics().values()) == 203, timeout=30)  # type: ignore[call-overload]
    by_version = metrics()
    for version in (1, 2):
        m = by_version[version]
        assert m["ok"] == answered[version] and m["requests"] == answered[version]
        assert m["share"] == 0.5 and m["errors"] == 0 and m["predictions"] == answered[version]
        assert 0 < m["p50Ms"] <= m["p95Ms"]  # type: ignore[operator]
        labels = m["labels"]
        assert isinstance(labels, list) and abs(sum(x["share"] for x in labels) - 1) < 1e-9
    assert by_version[2]["current"] and not by_version[1]["current"]

    # A restart of serving keeps the split (stored, read back into the model cache).
    before = predict(api, dep_id, key, rows, "user-7").json()["data"]["version"]
    stack.stop_child("serving")
    stack.start_child("serving")
    card = api.get(f"/api/apps/deploy/deployments/{dep_id}", headers=auth).json()["data"]
    assert [(a["version"], a["share"]) for a in card["split"]["versions"]] == [(1, 0.5), (2, 0.5)]
    assert predict(api, dep_id, key, rows, "user-7").json()["data"]["version"] == before

    # Cleared: the current version answers everything again.
    cleared = api.delete(split_url, headers=auth)
    assert cleared.status_code == 200 and cleared.json()["data"]["versions"] == []
    assert {
        predict(api, dep_id, key, rows, uuid.uuid4().hex).json()["data"]["version"]
        for _ in range(5)
    } == {2}

    # The simulator: 40 requests × 10 rows from v2's training reference, x0 shifted by +3 std.
    wrong = api.post(
        f"/api/models/{dep_id}/simulate",
        json={"requests": 5, "drift": {"kind": "shift", "feature": "nope", "amount": 1}},
        headers=auth,
    )
    assert wrong.status_code == 400 and "'nope'" in wrong.json()["error"]["message"]
    assert (
        api.post(
            f"/api/models/{dep_id}/simulate", json={"requests": 2001}, headers=auth
        ).status_code
        == 400
    )
    simulated = api.post(
        f"/api/models/{dep_id}/simulate",
        json={
            "requests": 40,
            "rowsPerRequest": 10,
            "drift": {"kind": "shift", "feature": "x0", "amount": 3},
            "seed": 5,
        },
        headers=auth,
    )
    assert simulated.status_code == 200, simulated.text
    summary = simulated.json()["data"]
    assert summary["sent"] == summary["ok"] == 40 and summary["rows"] == 400
    assert summary["answered"] == [{"version": 2, "requests": 40}] and not summary["truncated"]
    assert summary["drift"].startswith("x0 shifted by +3")
    # The log was flushed before the answer: the drift report sees the rows at once.
    report = api.get(f"/api/models/{dep_id}/drift", headers=auth).json()["data"]
    assert report["drifted"] == ["x0"], report["features"]
    assert report["rows"] >= 400
