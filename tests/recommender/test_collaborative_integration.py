"""Collaborative filtering for real (issue 20 §5): the recommender and progress services in
process on real gRPC, a real nats-server, graded submissions as events. Two learners' passes
change a third learner's next challenge; one learner alone changes nothing."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from ascent.events.v1 import learning_pb2
from ascent.progress.v1 import progress_service_pb2 as progress_pb
from ascent.progress.v1 import progress_service_pb2_grpc as progress_pb_grpc
from ascent.recommender.v1 import recommender_service_pb2 as pb
from ascent.recommender.v1 import recommender_service_pb2_grpc as pb_grpc
from ascent.types.v1 import run_pb2

from services.common import events
from services.common.config import CommonSettings
from services.common.events import EventBus
from services.common.runtime import serve
from services.progress.config import Settings as ProgressSettings
from services.progress.main import setup as progress_setup
from services.recommender.config import Settings
from services.recommender.main import setup
from tests.support.nats_server import NatsServer, free_port
from tests.support.polling import wait_until

pytestmark = pytest.mark.integration

# The real curriculum's thresholds and metrics.
GRADES = {
    "first-classifier": ("accuracy", 0.9, 0.95),
    "diabetes-regression": ("r2", 0.4, 0.45),
}
T0 = datetime(2026, 3, 1, tzinfo=UTC)


@contextlib.asynccontextmanager
async def running(common: CommonSettings) -> AsyncIterator[pb_grpc.RecommenderServiceStub]:
    stop = asyncio.Event()
    port = free_port()
    tasks = [
        asyncio.create_task(
            serve(
                "progress",
                ProgressSettings(grpc_port=int(common.progress_addr.rsplit(":", 1)[1])),
                progress_setup,
                "services.progress.migrations",
                common,
                stop,
            )
        ),
        asyncio.create_task(
            serve(
                "recommender",
                Settings(grpc_port=port, priors_path="none", explore=0.0),
                setup,
                "services.recommender.migrations",
                common,
                stop,
            )
        ),
    ]
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        await asyncio.wait_for(channel.channel_ready(), 30)
        yield pb_grpc.RecommenderServiceStub(channel)
    finally:
        await channel.close(grace=None)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 30)


def submission(learner: str, slug: str, day: int) -> learning_pb2.RunCompleted:
    metric, threshold, score = GRADES[slug]
    run = run_pb2.Run(
        id=str(uuid.uuid4()), owner_id=learner, challenge_slug=slug, status="ok", duration_ms=50
    )
    run.grade.CopyFrom(
        run_pb2.Grade(
            challenge_slug=slug,
            metric=metric,
            status="graded",
            pass_threshold=threshold,
            passed=True,
            public_score=score,
        )
    )
    run.created_at.FromDatetime(T0 + timedelta(days=day))
    return learning_pb2.RunCompleted(meta=events.new_meta("execution"), run=run)


async def test_two_similar_learners_change_a_third_learners_next_challenge(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    common = CommonSettings(
        nats_url=nats_server.url, data_dir=tmp_path, progress_addr=f"127.0.0.1:{free_port()}"
    )
    producer = EventBus(nats_server.url, producer="execution")
    await producer.start()
    await asyncio.wait_for(producer.connected.wait(), 10)

    async def publish(event: learning_pb2.RunCompleted) -> None:
        await producer.publish_raw(
            events.RUN_COMPLETED, event.SerializeToString(), events.headers_for(event.meta)
        )

    async with running(common) as stub:

        async def suggest(learner: str) -> pb.RecommendChallengeResponse:
            got: pb.RecommendChallengeResponse = await stub.RecommendChallenge(
                pb.RecommendChallengeRequest(learner_id=learner, limit=3)
            )
            return got

        progress_channel = grpc.aio.insecure_channel(common.progress_addr)
        progress = progress_pb_grpc.ProgressServiceStub(progress_channel)

        async def settled(learner: str, graded: int) -> pb.RecommendChallengeResponse:
            async def ready() -> bool:
                # Both services learnt the passes: the recommender counts them, progress's
                # lock state has them.
                got = await suggest(learner)
                tracks = await progress.ListTracks(
                    progress_pb.ListTracksRequest(learner_id=learner)
                )
                passed = sum(c.passed for t in tracks.tracks for c in t.challenges)
                return got.graded_runs == graded and passed == graded

            await wait_until(ready, timeout=30)
            return await suggest(learner)

        cyd, ada, bob = (f"{n}-{uuid.uuid4().hex[:6]}" for n in ("cyd", "ada", "bob"))
        await publish(submission(cyd, "first-classifier", 0))
        alone = await settled(cyd, 1)
        # Today's ranking: the pass opened Data detective.
        assert alone.challenges[0].challenge_slug == "data-detective", alone
        assert alone.challenges[0].reason == "next_step"
        assert all("history like yours" not in c.rationale for c in alone.challenges)

        # One learner with the same start who passed the regression next: not enough.
        await publish(submission(ada, "first-classifier", 1))
        await publish(submission(ada, "diabetes-regression", 2))
        await settled(ada, 2)
        one = await suggest(cyd)
        assert [c.challenge_slug for c in one.challenges] == [
            c.challenge_slug for c in alone.challenges
        ]
        assert all("history like yours" not in c.rationale for c in one.challenges)

        # A second one: the regression becomes cyd's next challenge, and says why.
        await publish(submission(bob, "first-classifier", 3))
        await publish(submission(bob, "diabetes-regression", 4))
        await settled(bob, 2)
        two = await suggest(cyd)
        top = two.challenges[0]
        assert top.challenge_slug == "diabetes-regression", two
        assert top.reason == "similar_learners"
        assert "2 learners with a history like yours passed it next" in top.rationale
        assert ada not in top.rationale and bob not in top.rationale
        # Data detective stays among the suggestions with its own reason.
        assert "data-detective" in [c.challenge_slug for c in two.challenges]

        # A newcomer (no history) keeps the catalog's start, untouched by the others.
        fresh = await suggest(f"new-{uuid.uuid4().hex[:6]}")
        assert fresh.challenges[0].challenge_slug == "first-classifier"
        assert fresh.challenges[0].reason == "start"
        await progress_channel.close(grace=None)
    await producer.close()
