"""Coach and recommender for real: in-process servers, real gRPC, real nats-server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import grpc
import nats
import pytest
from ascent.coach.v1 import coach_service_pb2 as pb
from ascent.coach.v1 import coach_service_pb2_grpc as pb_grpc
from ascent.events.v1 import coach_pb2, learning_pb2
from ascent.types.v1 import run_pb2
from google.protobuf.message import Message
from nats.errors import TimeoutError as NatsTimeoutError

from services.coach.config import Settings as CoachSettings
from services.coach.main import setup as coach_setup
from services.common import events
from services.common.config import CommonSettings
from services.common.datasets import DatasetStore
from services.common.events import EventBus
from services.common.runtime import serve
from services.recommender.config import Settings as RecommenderSettings
from services.recommender.main import setup as recommender_setup
from tests.coach.helpers import SEED_TEMPLATE, run_code
from tests.recommender.data import numeric_classification_csv
from tests.support.nats_server import NatsServer, free_port
from tests.support.polling import wait_until

pytestmark = pytest.mark.integration

BOOSTING: dict[str, Any] = {
    "steps": [],
    "estimator": "GradientBoostingClassifier",
    "params": {"max_depth": 2},
}


@contextlib.asynccontextmanager
async def running(
    name: str, coro_factory: Callable[[asyncio.Event], Coroutine[Any, Any, None]]
) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(coro_factory(stop), name=name)
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


@contextlib.asynccontextmanager
async def coach_stub(common: CommonSettings) -> AsyncIterator[pb_grpc.CoachServiceStub]:
    port = free_port()
    settings = CoachSettings(grpc_port=port, recommender_timeout=2.0)
    async with running(
        "coach",
        lambda stop: serve(
            "coach", settings, coach_setup, "services.coach.migrations", common, stop
        ),
    ):
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        await asyncio.wait_for(channel.channel_ready(), 20)
        try:
            yield pb_grpc.CoachServiceStub(channel)
        finally:
            await channel.close(grace=None)


class Listener:
    """Reads ImprovementProposed events straight from the stream.

    A plain pull subscription (closed with `nc.close()`) rather than an EventBus consumer,
    whose drain on close waits out its 5 s timeout.
    """

    def __init__(self, nats_url: str) -> None:
        self.nats_url = nats_url
        self.seen: list[coach_pb2.ImprovementProposed] = []

    async def start(self, stream: str) -> None:
        self.nc = await nats.connect(self.nats_url)
        self.js = self.nc.jetstream()
        # The stream exists once a service has connected; create it for the listener too.
        bus = EventBus(self.nats_url, producer="test", stream=stream)
        bus.nc = self.nc
        await bus.ensure_stream()
        self.sub = await self.js.pull_subscribe(events.IMPROVEMENT_PROPOSED, stream=stream)

    async def publish(self, subject: str, event: Message) -> None:
        meta = events.meta_of(event)
        await self.js.publish(subject, event.SerializeToString(), headers=events.headers_for(meta))

    async def proposal(self, proposal_id: str) -> coach_pb2.ImprovementProposed:
        async def arrived() -> bool:
            with contextlib.suppress(NatsTimeoutError, TimeoutError):
                for msg in await self.sub.fetch(batch=10, timeout=0.5):
                    event = events.decode(msg.subject, msg.data)
                    assert isinstance(event, coach_pb2.ImprovementProposed)
                    self.seen.append(event)
                    await msg.ack()
            return any(p.proposal_id == proposal_id for p in self.seen)

        await wait_until(arrived, timeout=20)
        return next(p for p in self.seen if p.proposal_id == proposal_id)

    async def close(self) -> None:
        await self.nc.close()


def baseline_run(dataset_sha256: str, accuracy: float) -> run_pb2.Run:
    run = run_pb2.Run(
        id=str(uuid.uuid4()),
        owner_id="learner-1",
        session_id="s1",
        name="Baseline",
        code=SEED_TEMPLATE,
        dataset_sha256=dataset_sha256,
        status="ok",
    )
    run.outcome.model_type = "LogisticRegression"
    run.outcome.accuracy = accuracy
    return run


async def test_improve_uses_the_recommender_and_publishes_the_proposal(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    recommender_port = free_port()
    common = CommonSettings(
        nats_url=nats_server.url,
        data_dir=tmp_path,
        recommender_addr=f"127.0.0.1:{recommender_port}",
    )
    store = DatasetStore(common.datasets_dir)
    known = store.put(numeric_classification_csv(seed=41))
    current = store.put(numeric_classification_csv(seed=42))
    listener = Listener(nats_server.url)
    await listener.start(common.stream)

    # Only what this test teaches (no bundled priors), ranked greedily.
    recommender_settings = RecommenderSettings(
        grpc_port=recommender_port, priors_path="none", explore=0.0
    )
    async with (
        running(
            "recommender",
            lambda stop: serve(
                "recommender",
                recommender_settings,
                recommender_setup,
                "services.recommender.migrations",
                common,
                stop,
            ),
        ),
        coach_stub(common) as coach,
    ):
        # Teach the recommender that boosting wins on data like this.
        for accuracy in (0.97, 0.96):
            # The coach's own programs: the platform computed the score (trust rules, §3).
            run = run_pb2.Run(
                id=str(uuid.uuid4()), dataset_sha256=known, status="ok", scored_by="coach"
            )
            run.outcome.accuracy = accuracy
            run.outcome.model_type = BOOSTING["estimator"]
            run.outcome.pipeline_json = json.dumps(BOOSTING)
            event = learning_pb2.RunCompleted(meta=events.new_meta("execution"), run=run)
            await listener.publish(events.RUN_COMPLETED, event)
        db_path = tmp_path / "recommender.db"

        def learned() -> bool:
            import sqlite3

            if not db_path.exists():
                return False
            with contextlib.closing(sqlite3.connect(db_path)) as conn:
                try:
                    rows = conn.execute("SELECT count(*) FROM recommender_observations").fetchone()
                except sqlite3.OperationalError:
                    return False
            return bool(rows[0] == 2)

        await wait_until(learned, timeout=20)

        run = baseline_run(current, 0.71)
        response = await coach.Improve(pb.ImproveRequest(run=run, history=[run]), timeout=30)
        assert response.engine == "builtin"
        assert response.proposal_id
        assert 2 <= len(response.suggestions) <= 3
        assert "LogisticRegression" in response.diagnosis
        experiment = response.improved_experiment
        assert experiment.name == "GradientBoosting (max_depth=2)"
        assert "GradientBoostingClassifier(max_depth=2)" in experiment.code
        assert "similar" in experiment.rationale

        sent = await listener.proposal(response.proposal_id)
        assert (sent.run_id, sent.owner_id, sent.engine) == (run.id, "learner-1", "builtin")
        assert sent.experiment_name == experiment.name

        result = run_code(experiment.code, store.existing_path(current), tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.metric("ACCURACY") is not None
    await listener.close()


async def test_improve_answers_from_priors_without_the_recommender(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    common = CommonSettings(
        nats_url=nats_server.url,
        data_dir=tmp_path,
        recommender_addr=f"127.0.0.1:{free_port()}",
    )
    listener = Listener(nats_server.url)
    await listener.start(common.stream)
    async with coach_stub(common) as coach:
        run = baseline_run("", 0.9)
        response = await coach.Improve(pb.ImproveRequest(run=run), timeout=30)
        assert response.improved_experiment.name == "RandomForest"
        assert "RandomForestClassifier(n_estimators=200" in response.improved_experiment.code
        assert "no similar runs" in response.improved_experiment.rationale
        event = await listener.proposal(response.proposal_id)
        assert event.pipeline_keys
        # Improve again on the same run, nothing run in between (a Socratic answer never
        # asked for): the coach's own store knows what it proposed and does not repeat it.
        again = await coach.Improve(pb.ImproveRequest(run=run, mode="socratic"), timeout=30)
        assert again.improved_experiment.name != response.improved_experiment.name
        assert list(again.pipeline_keys) != list(response.pipeline_keys)

        with pytest.raises(grpc.aio.AioRpcError) as err:
            await coach.Improve(pb.ImproveRequest(run=run_pb2.Run()), timeout=30)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    await listener.close()
