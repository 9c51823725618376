"""The progress service for real: curriculum loaded at start, XP and badges from NATS runs,
badge events on the stream, replay safe."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from ascent.events.v1 import learning_pb2, progress_pb2
from ascent.progress.v1 import progress_service_pb2 as pb
from ascent.progress.v1 import progress_service_pb2_grpc as pb_grpc
from ascent.types.v1 import run_pb2

from services.common import events
from services.common.events import EventBus
from services.progress.config import Settings
from services.progress.handlers import RUNS_DURABLE
from services.progress.main import MIGRATIONS, NAME, setup
from tests.support.harness import (
    consumer_caught_up,
    delete_consumer,
    event_bus,
    outbox_count,
    publish,
    running_service,
    stream_events,
)
from tests.support.nats_server import NatsServer, free_port
from tests.support.polling import wait_until

pytestmark = pytest.mark.integration


def completed(owner: str, *, ok: bool) -> learning_pb2.RunCompleted:
    run_id = f"run-{uuid.uuid4().hex}"
    run = run_pb2.Run(
        id=run_id,
        session_id="s-1",
        owner_id=owner,
        # New code each time: only new code earns run XP.
        code=f"print('{run_id}')",
        has_error=not ok,
        status="ok" if ok else "error",
    )
    return learning_pb2.RunCompleted(run=run)


async def badge_events(bus: EventBus) -> list[progress_pb2.BadgeAwarded]:
    return await stream_events(bus, events.BADGE_AWARDED, progress_pb2.BadgeAwarded)


async def test_xp_badges_and_tracks_through_the_real_service(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    learner = "learner-int"
    failed, first, second = (
        completed(learner, ok=False),
        completed(learner, ok=True),
        completed(learner, ok=True),
    )

    async with event_bus(nats_server.url) as bus:
        async with running_service(
            NAME, Settings(grpc_port=free_port()), setup, MIGRATIONS, nats_server.url, tmp_path
        ) as channel:
            stub = pb_grpc.ProgressServiceStub(channel)
            tracks = (await stub.ListTracks(pb.ListTracksRequest(learner_id=learner))).tracks
            assert [(t.slug, t.unlocked) for t in tracks] == [
                ("beginner", True),
                ("intermediate", False),
                ("advanced", False),
                ("production", False),
            ]
            assert len(tracks[0].challenges) >= 2

            empty = await stub.GetProgress(pb.GetProgressRequest(learner_id=learner))
            assert (empty.xp, empty.level, empty.runs, list(empty.badges)) == (0, 1, 0, [])

            for event in (failed, first, second):
                await publish(bus, events.RUN_COMPLETED, event)
            # A redelivery past the JetStream duplicate window pays nothing twice.
            await publish(bus, events.RUN_COMPLETED, second, msg_id=str(uuid.uuid4()))
            await wait_until(lambda: consumer_caught_up(bus, RUNS_DURABLE), what="consumed")

            result = await stub.GetProgress(pb.GetProgressRequest(learner_id=learner))
            assert (result.xp, result.level, result.runs) == (22, 1, 3)
            assert [b.slug for b in result.badges] == ["first-run"]
            assert result.badges[0].awarded_at.seconds > 0
            assert [h.amount for h in result.history] == [10, 10, 2]

            async def badge_published() -> bool:
                return len(await badge_events(bus)) == 1

            await wait_until(badge_published, what="badge event on the stream")
            (badge,) = await badge_events(bus)
            assert (badge.learner_id, badge.badge_slug, badge.source_event_id) == (
                learner,
                "first-run",
                first.meta.event_id,
            )
            assert badge.meta.producer == "progress"

        # Replay: same durable name, consumer deleted on the server, service restarted (which
        # also reloads the curriculum into the same tables).
        await delete_consumer(bus, RUNS_DURABLE)
        async with running_service(
            NAME, Settings(grpc_port=free_port()), setup, MIGRATIONS, nats_server.url, tmp_path
        ) as channel:
            stub = pb_grpc.ProgressServiceStub(channel)
            await wait_until(lambda: consumer_caught_up(bus, RUNS_DURABLE), what="replayed")
            replayed = await stub.GetProgress(pb.GetProgressRequest(learner_id=learner))
            assert replayed == result
            again = (await stub.ListTracks(pb.ListTracksRequest(learner_id=learner))).tracks
            assert list(again) == list(tracks)
        assert outbox_count(tmp_path / "progress.db", events.BADGE_AWARDED) == 1
        assert outbox_count(tmp_path / "progress.db", events.XP_AWARDED) == 3
