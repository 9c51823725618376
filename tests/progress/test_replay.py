"""Replay from the stream: a progress service with an empty database, reading every event
from the start of the real JetStream stream, rebuilds exactly the same progress."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from ascent.events.v1 import coach_pb2, leaderboard_pb2, learning_pb2
from ascent.progress.v1 import progress_service_pb2 as pb
from ascent.progress.v1 import progress_service_pb2_grpc as pb_grpc
from ascent.types.v1 import run_pb2

from services.common import events
from services.common.curriculum import challenge_index, load_catalog
from services.common.ml.scoring import meets
from services.execution.config import default_curriculum_dir
from services.progress.config import Settings
from services.progress.handlers import FEEDBACK_DURABLE, RANKS_DURABLE, RUNS_DURABLE
from services.progress.main import MIGRATIONS, NAME, setup
from tests.support.harness import (
    consumer_caught_up,
    delete_consumer,
    event_bus,
    publish,
    running_service,
)
from tests.support.nats_server import NatsServer, free_port
from tests.support.polling import wait_until

pytestmark = pytest.mark.integration

SCORES = {
    "first-classifier": [0.4, 0.95, 0.97],
    "data-detective": [0.6, 0.78],
    "wine-scaling": [0.97],
    "feature-craft": [0.5, 0.99],
    "diabetes-regression": [0.45],
}


def submission(owner: str, slug: str, score: float, day: int) -> learning_pb2.RunCompleted:
    run = run_pb2.Run(
        id=f"run-{uuid.uuid4().hex}",
        session_id="s",
        owner_id=owner,
        status="ok",
        challenge_slug=slug,
    )
    run.created_at.FromSeconds(1_770_000_000 + day * 86_400)
    run.grade.status = "graded"
    run.grade.public_score = score
    run.grade.passed = grader_passed(slug, score)
    event = learning_pb2.RunCompleted(run=run)
    event.meta.CopyFrom(events.new_meta("execution"))
    event.meta.occurred_at.CopyFrom(run.created_at)
    return event


def grader_passed(slug: str, score: float) -> bool:
    """What the grader says of a submission scoring `score` on all the hidden rows."""
    challenge = challenge_index(load_catalog(default_curriculum_dir()))[slug]
    return meets(challenge.metric, score, challenge.pass_threshold)


async def snapshot(stub: pb_grpc.ProgressServiceStub, learners: list[str]) -> list[object]:
    out: list[object] = []
    for learner in learners:
        out.append(await stub.GetProgress(pb.GetProgressRequest(learner_id=learner)))
        out.append(await stub.ListTracks(pb.ListTracksRequest(learner_id=learner)))
    return out


async def test_replaying_the_stream_into_an_empty_database_rebuilds_the_same_progress(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    learners = ["ann", "ben"]
    async with event_bus(nats_server.url) as bus:
        day = 0
        for slug, scores in SCORES.items():
            for score in scores:
                for learner, factor in zip(learners, (1.0, 0.85), strict=True):
                    await publish(
                        bus, events.RUN_COMPLETED, submission(learner, slug, score * factor, day)
                    )
                day += 1
        ranked = leaderboard_pb2.ChallengeRanked(
            challenge_slug="first-classifier",
            learner_id="ann",
            run_id="r",
            public_score=0.97,
            rank=1,
            entrants=2,
        )
        await publish(bus, events.CHALLENGE_RANKED, ranked, producer="leaderboard")
        accepted = coach_pb2.ProposalRated(
            proposal_id="p-1", run_id="r", owner_id="ann", verdict="accepted"
        )
        await publish(bus, events.PROPOSAL_RATED, accepted, producer="coach")

        first_dir, second_dir = tmp_path / "first", tmp_path / "second"
        async with running_service(
            NAME, Settings(grpc_port=free_port()), setup, MIGRATIONS, nats_server.url, first_dir
        ) as channel:
            await wait_until(lambda: consumer_caught_up(bus, RUNS_DURABLE), what="runs")
            await wait_until(lambda: consumer_caught_up(bus, RANKS_DURABLE), what="ranks")
            await wait_until(lambda: consumer_caught_up(bus, FEEDBACK_DURABLE), what="feedback")
            original = await snapshot(pb_grpc.ProgressServiceStub(channel), learners)
        ann = original[0]
        assert isinstance(ann, pb.GetProgressResponse)
        assert ann.challenges_passed == 5 and ann.xp > 250
        assert {"podium", "track-complete", "streak-3", "ai-assisted"} <= {
            b.slug for b in ann.badges
        }

        # A brand-new database, consumers starting again from the first event.
        await delete_consumer(bus, RUNS_DURABLE)
        await delete_consumer(bus, RANKS_DURABLE)
        await delete_consumer(bus, FEEDBACK_DURABLE)
        async with running_service(
            NAME, Settings(grpc_port=free_port()), setup, MIGRATIONS, nats_server.url, second_dir
        ) as channel:
            await wait_until(lambda: consumer_caught_up(bus, RUNS_DURABLE), what="replayed runs")
            await wait_until(lambda: consumer_caught_up(bus, RANKS_DURABLE), what="replayed ranks")
            await wait_until(
                lambda: consumer_caught_up(bus, FEEDBACK_DURABLE), what="replayed feedback"
            )
            rebuilt = await snapshot(pb_grpc.ProgressServiceStub(channel), learners)
    assert rebuilt == original
