"""The deployment rules of issue 16 through the real stack (gateway, sandbox, execution's
grader, serving, NATS, progress): three challenge runs deployed via the gateway are judged by
the platform on the hidden rows → the Advanced track unlocks ("3 of 3 deployed models meet
the bar"); a drift alert on one of them → the Production ML Engineer badge, exactly once;
replaying progress's deployment and drift consumers changes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from ascent.events.v1 import progress_pb2

from services.progress.handlers import DEPLOYMENTS_DURABLE, DRIFT_DURABLE
from services.supervisor.stack import Stack
from tests.apps.conftest import register
from tests.serving.test_deploy_flow import predict
from tests.support.harness import consumer_caught_up, delete_consumer, event_bus, stream_events
from tests.support.polling import eventually

# A practice run of first-classifier (iris): the deployed model is judged by the platform,
# whatever the run printed — here an impossible-looking but harmless claim of 0.5.
PRACTICE = """
import pandas as pd
from sklearn.linear_model import LogisticRegression
train = pd.read_csv("/data/train.csv")
X, y = train.drop(columns=["species"]), train["species"]
model = LogisticRegression(max_iter={n}, C={c}).fit(X, y)
print("ACCURACY: 0.5")
"""


def tracks(api: httpx.Client, auth: dict[str, str]) -> dict[str, dict[str, Any]]:
    response = api.get("/api/tracks", headers=auth)
    assert response.status_code == 200, response.text
    return {t["slug"]: t for t in response.json()["data"]}


def badges(api: httpx.Client, auth: dict[str, str]) -> list[str]:
    data = api.get("/api/me/progress", headers=auth).json()["data"]
    return [b["slug"] for b in data["badges"]]


async def _progress_events(stack: Stack, learner_badge: str) -> tuple[int, int]:
    async with event_bus(stack.nats_url) as bus:
        awarded = await stream_events(bus, "progress.badge.awarded.v1", progress_pb2.BadgeAwarded)
        unlocked = await stream_events(
            bus, "progress.track.unlocked.v1", progress_pb2.TrackUnlocked
        )
    learner, badge = learner_badge.split("|")
    return (
        sum(e.learner_id == learner and e.badge_slug == badge for e in awarded),
        sum(e.learner_id == learner and e.track_slug == "advanced" for e in unlocked),
    )


def test_three_judged_deployments_unlock_advanced_and_drift_earns_the_badge_once(
    api: httpx.Client, stack: Stack
) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'prod-rules')}"}
    me = api.get("/api/me", headers=auth).json()["data"]
    learner = str(me["id"])
    assert tracks(api, auth)["advanced"]["deployedMeetingBar"] == 0

    deployed: list[dict[str, Any]] = []
    for n, c in ((200, 1.0), (300, 0.5), (400, 2.0)):
        practice = api.post(
            "/api/challenges/first-classifier/practice",
            json={"code": PRACTICE.format(n=n, c=c)},
            headers=auth,
        )
        assert practice.status_code == 201, practice.text
        run_id = practice.json()["data"]["id"]
        response = api.post("/api/apps/deploy/deployments", json={"runId": run_id}, headers=auth)
        assert response.status_code == 201, response.text
        deployed.append(response.json()["data"])
        judgement = deployed[-1]["version"]["judgement"]
        # The platform's own score of the deployed model on the hidden rows, not the 0.5 printed.
        assert judgement["status"] == "judged", judgement
        assert judgement["metric"] == "accuracy" and judgement["score"] >= 0.8, judgement
        assert judgement["challengeSlug"] == "first-classifier" and judgement["rows"] > 0
        if len(deployed) == 2:
            eventually(lambda: tracks(api, auth)["advanced"]["deployedMeetingBar"] == 2, timeout=30)
            advanced = tracks(api, auth)["advanced"]
            assert not advanced["unlocked"]
            assert "2 of 3 deployed models meet the bar" in advanced["unlockProgress"]
            assert advanced["unlockApp"] == "deploy"

    eventually(lambda: tracks(api, auth)["advanced"]["unlocked"], timeout=30)
    assert "first-deployment" in badges(api, auth)
    assert "production-ml-engineer" not in badges(api, auth)

    # Drifted traffic on one deployment: every feature far from its training values.
    first = deployed[0]
    dep_id, key = first["deployment"]["id"], first["apiKey"]
    names = [f["name"] for f in first["version"]["features"]]
    # Two requests of 100 rows (the log keeps 100 per request): an alert needs 200 values.
    for start in (0, 100):
        rows = [dict.fromkeys(names, 1_000.0 + i) for i in range(start, start + 100)]
        assert predict(api, dep_id, key, {"rows": rows}).status_code == 200

    def drifted() -> bool:
        report = api.get(f"/api/models/{dep_id}/drift", params={"window": 200}, headers=auth)
        assert report.status_code == 200, report.text
        data = report.json()["data"]
        # Detection runs on a report: the log writes in batches, so ask until all 200 are in.
        return data["rows"] == 200 and bool(data["drifted"])

    eventually(drifted, timeout=30)
    eventually(lambda: "production-ml-engineer" in badges(api, auth), timeout=30)
    key_of = f"{learner}|production-ml-engineer"
    eventually(lambda: asyncio.run(_progress_events(stack, key_of)) == (1, 1), timeout=30)
    before = (badges(api, auth), tracks(api, auth)["advanced"])

    # Replay: progress restarts with its deployment and drift consumers deleted on the
    # server, so it reads those events again from the start of the stream.
    stack.stop_child("progress")

    async def forget() -> None:
        async with event_bus(stack.nats_url) as bus:
            await delete_consumer(bus, DEPLOYMENTS_DURABLE)
            await delete_consumer(bus, DRIFT_DURABLE)

    asyncio.run(forget())
    stack.start_child("progress")

    async def caught_up() -> bool:
        async with event_bus(stack.nats_url) as bus:
            return await consumer_caught_up(bus, DEPLOYMENTS_DURABLE) and await consumer_caught_up(
                bus, DRIFT_DURABLE
            )

    eventually(lambda: asyncio.run(caught_up()), timeout=60)
    assert (badges(api, auth), tracks(api, auth)["advanced"]) == before
    assert asyncio.run(_progress_events(stack, key_of)) == (1, 1)
