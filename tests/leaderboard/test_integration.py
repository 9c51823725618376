"""The leaderboard service for real: NATS in, gRPC out, new-best events out, replay safe."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import grpc
import pytest
from ascent.events.v1 import leaderboard_pb2, learning_pb2
from ascent.leaderboard.v1 import leaderboard_service_pb2 as lb
from ascent.leaderboard.v1 import leaderboard_service_pb2_grpc as lb_grpc
from ascent.types.v1 import run_pb2

from services.common import events
from services.common.events import EventBus
from services.leaderboard.config import Settings
from services.leaderboard.handlers import RUNS_DURABLE
from services.leaderboard.main import MIGRATIONS, NAME, setup
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


def completed(session_id: str, accuracy: float | None, name: str) -> learning_pb2.RunCompleted:
    outcome = run_pb2.RunOutcome(model_type="RandomForestClassifier")
    if accuracy is not None:
        outcome.accuracy = accuracy
    run = run_pb2.Run(
        id=f"run-{uuid.uuid4().hex[:10]}",
        session_id=session_id,
        owner_id="learner-7",
        name=name,
        outcome=outcome,
        status="ok",
        figures=[b"png bytes"],
    )
    run.created_at.GetCurrentTime()
    return learning_pb2.RunCompleted(run=run)


async def best_events(bus: EventBus) -> list[leaderboard_pb2.BestAchieved]:
    return await stream_events(bus, events.BEST_ACHIEVED, leaderboard_pb2.BestAchieved)


async def test_runs_are_recorded_ranked_and_replay_changes_nothing(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    board = "session-int"
    low = completed(board, 0.7, "Baseline")
    high = completed(board, 0.9, "RandomForest + Scaling")
    unscored = completed(board, None, "Crashed")

    async with event_bus(nats_server.url) as bus:
        async with running_service(
            NAME, Settings(grpc_port=free_port()), setup, MIGRATIONS, nats_server.url, tmp_path
        ) as channel:
            stub = lb_grpc.LeaderboardServiceStub(channel)
            waiting = asyncio.ensure_future(
                stub.GetRun(lb.GetRunRequest(run_id=high.run.id, wait_ms=8000))
            )
            await publish(bus, events.RUN_COMPLETED, low)
            # The same event again past the JetStream duplicate window, and the same run
            # under a new event id: both must leave a single run.
            await publish(bus, events.RUN_COMPLETED, low, msg_id=str(uuid.uuid4()))
            again = learning_pb2.RunCompleted(run=low.run)
            await publish(bus, events.RUN_COMPLETED, again)
            await asyncio.sleep(0.3)
            assert not waiting.done(), "GetRun must wait for a run not recorded yet"
            await publish(bus, events.RUN_COMPLETED, high)
            await publish(bus, events.RUN_COMPLETED, unscored)

            got = await asyncio.wait_for(waiting, 10)
            assert got.run.id == high.run.id
            assert got.run.outcome.accuracy == pytest.approx(0.9)
            assert list(got.run.figures) == []

            await wait_until(lambda: consumer_caught_up(bus, RUNS_DURABLE), what="consumed")
            listed = await stub.ListRuns(lb.ListRunsRequest(session_id=board))
            assert [r.id for r in listed.runs] == [high.run.id, low.run.id, unscored.run.id]
            assert listed.runs[1].created_at == low.run.created_at
            # Ranks are per dataset (all three ran without one); a filter on another dataset
            # lists none of them.
            assert dict(listed.dataset_ranks) == {high.run.id: 1, low.run.id: 2}
            other = await stub.ListRuns(
                lb.ListRunsRequest(session_id=board, dataset_sha256="f" * 64)
            )
            assert list(other.runs) == []
            same = await stub.ListRuns(lb.ListRunsRequest(session_id=board, dataset_sha256=""))
            assert list(same.runs) == list(listed.runs)

            board_view = await stub.GetLeaderboard(lb.GetLeaderboardRequest(board_id=board))
            assert board_view.metric == "accuracy"
            assert [(e.rank, e.name) for e in board_view.entries] == [
                (1, "RandomForest + Scaling"),
                (2, "Baseline"),
            ]

            with pytest.raises(grpc.aio.AioRpcError) as missing:
                await stub.GetRun(lb.GetRunRequest(run_id="nope", wait_ms=150))
            assert missing.value.code() == grpc.StatusCode.NOT_FOUND

            async def two_bests() -> bool:
                return len(await best_events(bus)) == 2

            await wait_until(two_bests, what="best-achieved events published")
            bests = await best_events(bus)
            assert all(isinstance(e, leaderboard_pb2.BestAchieved) for e in bests)
            assert [e.run_id for e in bests] == [low.run.id, high.run.id]
            assert bests[1].previous_run_id == low.run.id

        # Replay: same durable name, consumer deleted on the server, service restarted.
        await delete_consumer(bus, RUNS_DURABLE)
        async with running_service(
            NAME, Settings(grpc_port=free_port()), setup, MIGRATIONS, nats_server.url, tmp_path
        ) as channel:
            stub = lb_grpc.LeaderboardServiceStub(channel)
            await wait_until(lambda: consumer_caught_up(bus, RUNS_DURABLE), what="replayed")
            replayed = await stub.ListRuns(lb.ListRunsRequest(session_id=board))
            assert list(replayed.runs) == list(listed.runs)
        assert outbox_count(tmp_path / "leaderboard.db", events.BEST_ACHIEVED) == 2
        assert len(await best_events(bus)) == 2
