"""Issue 20 §3, the poisoning replay through the public API: forty runs (four sock-puppet
learners, no dataset) printing `ACCURACY: 1.0` for a depth-1 tree, ten more printing it on an
upload of the victims' very dataset, and an "Improve" of such code (an edit of the learner's
code, not the coach's own program) leave what the recommender advises fresh learners exactly
as it was — every service real (services/recommender/trust.py)."""

from __future__ import annotations

import asyncio
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import grpc
import httpx
import nats
import pytest
from ascent.recommender.v1 import recommender_service_pb2 as rec_pb
from ascent.recommender.v1 import recommender_service_pb2_grpc as rec_grpc
from nats.js.errors import NotFoundError

from services.common.ml.pipelines import pipeline_key
from services.recommender.handlers import RUNS_CONSUMER
from services.supervisor.stack import Stack
from tests.integration.conftest import learner
from tests.integration.test_demo_flow import circles_csv
from tests.support.harness import STREAM
from tests.support.polling import wait_until

pytestmark = pytest.mark.integration

STUMP = {"steps": [], "estimator": "DecisionTreeClassifier", "params": {"max_depth": 1}}
POISON = f"""from sklearn.tree import DecisionTreeClassifier

model = DecisionTreeClassifier(max_depth=1)
print("MODEL_TYPE: DecisionTreeClassifier")
print("ACCURACY: 1.0")
print('PIPELINE: {json.dumps(STUMP)}')
"""


def advice(stack: Stack, dataset_sha256: str) -> dict[str, tuple[float, int]]:
    """Every pipeline the recommender would suggest here, with its expected score and
    support (the order is a Thompson draw; these are not)."""
    with grpc.insecure_channel(stack.addr("recommender")) as channel:
        response = rec_grpc.RecommenderServiceStub(channel).Recommend(
            rec_pb.RecommendRequest(dataset_sha256=dataset_sha256, limit=100), timeout=30
        )
    return {p.key: (round(p.expected_score, 6), p.support) for p in response.pipelines}


def runs_learnt(stack: Stack) -> None:
    """Waits until the recommender has consumed every run event published so far."""

    async def caught_up() -> bool:
        nc = await nats.connect(stack.nats_url)
        try:
            info = await nc.jetstream().consumer_info(STREAM, RUNS_CONSUMER)
        except NotFoundError:
            return False
        finally:
            await nc.close()
        return bool(info.num_pending == 0 and info.num_ack_pending == 0)

    asyncio.run(wait_until(caught_up, timeout=60))


def upload(api: httpx.Client, auth: dict[str, str], session_id: str) -> str:
    response = api.post(
        f"/api/sessions/{session_id}/dataset",
        files={"file": ("circles.csv", circles_csv(), "text/csv")},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["sha256"])


def run(api: httpx.Client, auth: dict[str, str], session_id: str, code: str) -> None:
    response = api.post("/api/runs", json={"sessionId": session_id, "code": code}, headers=auth)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["accuracy"] == 1.0


def test_printed_scores_leave_other_learners_advice_unchanged(
    api: httpx.Client, stack: Stack
) -> None:
    victim_auth, victim_session = learner(api, "victim")
    victim_sha = upload(api, victim_auth, victim_session)
    runs_learnt(stack)
    before = {"": advice(stack, ""), victim_sha: advice(stack, victim_sha)}
    assert pipeline_key(STUMP) not in before[""]

    puppets = [learner(api, f"poison{puppet}") for puppet in range(4)]
    # The same claim on an upload of the victims' own data.
    auth, session_id = learner(api, "poison-data")
    assert upload(api, auth, session_id) == victim_sha
    puppets.append((auth, session_id))

    def attack(puppet: tuple[dict[str, str], str]) -> None:
        for _ in range(10):
            run(api, puppet[0], puppet[1], POISON)

    with ThreadPoolExecutor(len(puppets)) as pool:
        list(pool.map(attack, puppets))
    # "Improve" of that code: the coach edits the learner's code, which still prints what it
    # likes (and names no dataset).
    auth, session_id = puppets[0]
    improved = api.post("/api/ai/improve", json={"sessionId": session_id}, headers=auth)
    assert improved.status_code == 200, improved.text
    runs_learnt(stack)

    after = {"": advice(stack, ""), victim_sha: advice(stack, victim_sha)}
    assert after == before
    # A fresh learner pressing Improve is not handed the poisoned pipeline.
    auth, session_id = learner(api, f"fresh-{uuid.uuid4().hex[:6]}")
    code = api.get(f"/api/sessions/{session_id}", headers=auth).json()["data"]["code"]
    api.post("/api/runs", json={"sessionId": session_id, "code": code}, headers=auth)
    fresh = api.post("/api/ai/improve", json={"sessionId": session_id}, headers=auth)
    assert fresh.status_code == 200, fresh.text
    assert "max_depth=1" not in fresh.json()["data"]["improvedExperiment"]["code"]
