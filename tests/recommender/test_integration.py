"""The recommender for real: in-process server, real gRPC, real nats-server, real events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import nats
import pytest
from ascent.events.v1 import learning_pb2
from ascent.recommender.v1 import recommender_service_pb2 as pb
from ascent.recommender.v1 import recommender_service_pb2_grpc as pb_grpc
from ascent.types.v1 import run_pb2
from sqlalchemy import create_engine, text

from services.common import events
from services.common.config import CommonSettings
from services.common.datasets import DatasetStore
from services.common.events import EventBus
from services.common.ml.pipelines import PRIOR_RATIONALE, pipeline_key
from services.common.runtime import serve
from services.recommender.config import Settings
from services.recommender.handlers import RUNS_CONSUMER
from services.recommender.main import setup
from tests.recommender.data import mixed_csv, numeric_classification_csv
from tests.support.nats_server import NatsServer, free_port
from tests.support.polling import wait_until

pytestmark = pytest.mark.integration

HGB = {"steps": ["SimpleImputer"], "estimator": "HistGradientBoostingClassifier", "params": {}}
KNN = {"steps": ["StandardScaler"], "estimator": "KNeighborsClassifier", "params": {}}


@contextlib.asynccontextmanager
async def running_recommender(
    common: CommonSettings, port: int
) -> AsyncIterator[pb_grpc.RecommenderServiceStub]:
    stop = asyncio.Event()
    # No bundled priors and greedy ranking: this test is about what the events teach.
    settings = Settings(grpc_port=port, priors_path="none", explore=0.0)
    task = asyncio.create_task(
        serve("recommender", settings, setup, "services.recommender.migrations", common, stop)
    )
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        await asyncio.wait_for(channel.channel_ready(), 20)
        yield pb_grpc.RecommenderServiceStub(channel)
    finally:
        await channel.close(grace=None)
        stop.set()
        await asyncio.wait_for(task, 20)


def completed(sha: str, spec: dict[str, Any], accuracy: float) -> learning_pb2.RunCompleted:
    run = run_pb2.Run(
        id=str(uuid.uuid4()), dataset_sha256=sha, status="ok", duration_ms=900, scored_by="coach"
    )
    run.outcome.accuracy = accuracy
    run.outcome.model_type = spec["estimator"]
    run.outcome.pipeline_json = json.dumps(spec)
    return learning_pb2.RunCompleted(meta=events.new_meta("execution"), run=run)


def observation_count(data_dir: Path) -> int:
    engine = create_engine(f"sqlite:///{data_dir / 'recommender.db'}")
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM recommender_observations")).scalar_one()
    engine.dispose()
    return int(count)


async def test_profile_recommend_and_learning_from_events(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    common = CommonSettings(nats_url=nats_server.url, data_dir=tmp_path)
    store = DatasetStore(common.datasets_dir)
    known = store.put(numeric_classification_csv(seed=31))
    query = store.put(numeric_classification_csv(seed=32))
    distant = store.put(mixed_csv(seed=31, rows=2000))
    port = free_port()

    producer = EventBus(nats_server.url, producer="execution")
    await producer.start()
    await asyncio.wait_for(producer.connected.wait(), 10)

    async with running_recommender(common, port) as stub:
        profile = await stub.Profile(pb.ProfileRequest(dataset_sha256=""))
        assert profile.meta_features.rows == 150
        assert profile.meta_features.n_classes == 3
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub.Profile(pb.ProfileRequest(dataset_sha256="c" * 64))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
        bad = store.put(b"only-one-column\n1\n2\n")
        with pytest.raises(grpc.aio.AioRpcError) as unreadable:
            await stub.Profile(pb.ProfileRequest(dataset_sha256=bad))
        assert unreadable.value.code() == grpc.StatusCode.INVALID_ARGUMENT

        empty = await stub.Recommend(pb.RecommendRequest(dataset_sha256=query, limit=5))
        assert [p.rationale for p in empty.pipelines] == [PRIOR_RATIONALE] * 3

        batch = [
            completed(known, KNN, 0.97),
            completed(known, KNN, 0.95),
            completed(known, HGB, 0.88),
            completed(distant, HGB, 0.99),
        ]
        for event in batch:
            await producer.publish_raw(
                events.RUN_COMPLETED, event.SerializeToString(), events.headers_for(event.meta)
            )

        async def learned() -> bool:
            return observation_count(tmp_path) == len(batch)

        await wait_until(learned, timeout=20)
        ranked = await stub.Recommend(pb.RecommendRequest(dataset_sha256=query, limit=4))
        keys = [p.key for p in ranked.pipelines]
        assert keys[0] == pipeline_key(KNN)
        assert ranked.pipelines[0].support == 2
        assert ranked.pipelines[0].expected_score == pytest.approx(0.96)
        assert ranked.pipelines[0].rationale.startswith("worked on 1 similar dataset(s):")
        assert ranked.pipelines[0].expected_cost_ms == pytest.approx(900)
        assert ranked.pipelines[0].uncertainty > 0
        assert keys[1] == pipeline_key(HGB)
        assert ranked.pipelines[2].rationale == PRIOR_RATIONALE
        assert len(keys) == 4

    # Replay: drop the durable so the whole stream is delivered again; nothing changes.
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.delete_consumer(common.stream, RUNS_CONSUMER)
    async with running_recommender(common, port) as stub:

        async def replayed() -> bool:
            try:
                info = await js.consumer_info(common.stream, RUNS_CONSUMER)
            except Exception:
                return False
            return bool(
                info.num_pending == 0
                and info.num_ack_pending == 0
                and info.delivered.stream_seq >= len(batch)
            )

        await wait_until(replayed, timeout=20)
        assert observation_count(tmp_path) == len(batch)
        again = await stub.Recommend(pb.RecommendRequest(dataset_sha256=query, limit=4))
        assert [p.key for p in again.pipelines] == keys
    await nc.close()
    await producer.close()
