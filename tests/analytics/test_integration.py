"""The analytics service for real: one consumer over every subject, counts through gRPC,
replay safe."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from ascent.analytics.v1 import analytics_service_pb2 as pb
from ascent.analytics.v1 import analytics_service_pb2_grpc as pb_grpc
from ascent.events.v1 import gateway_pb2, leaderboard_pb2, learning_pb2
from ascent.types.v1 import run_pb2

from services.analytics.config import Settings
from services.analytics.handlers import ALL_DURABLE
from services.analytics.main import MIGRATIONS, NAME, setup
from services.common import events
from tests.support.harness import (
    consumer_caught_up,
    delete_consumer,
    event_bus,
    publish,
    running_service,
    wait_until,
)
from tests.support.nats_server import NatsServer, free_port

pytestmark = pytest.mark.integration


async def test_every_subject_is_counted_once(tmp_path: Path, nats_server: NatsServer) -> None:
    run = learning_pb2.RunCompleted(run=run_pb2.Run(id="r1", session_id="s1"))
    async with event_bus(nats_server.url) as bus:
        for index in range(3):
            await publish(
                bus,
                events.RUN_COMPLETED,
                learning_pb2.RunCompleted(run=run_pb2.Run(id=f"r{index}", session_id="s1")),
            )
        await publish(bus, events.RUN_COMPLETED, run)
        # The same event redelivered past the JetStream duplicate window.
        await publish(bus, events.RUN_COMPLETED, run, msg_id=str(uuid.uuid4()))
        await publish(
            bus,
            events.BEST_ACHIEVED,
            leaderboard_pb2.BestAchieved(board_id="s1", run_id="r1", score=0.9),
            producer="leaderboard",
        )
        await publish(
            bus, events.SESSION_CREATED, gateway_pb2.SessionCreated(session_id="s1"), "gateway"
        )
        # Undecodable: terminated by the bus, never counted.
        await bus.publish_raw(events.SESSION_CREATED, b"\xff\xff", {"Nats-Msg-Id": "poison"})
        expected = pb.GetEventCountsResponse(
            counts=[
                pb.EventCount(subject=events.SESSION_CREATED, count=1),
                pb.EventCount(subject=events.BEST_ACHIEVED, count=1),
                pb.EventCount(subject=events.RUN_COMPLETED, count=4),
            ],
            total=6,
        )

        async with running_service(
            NAME, Settings(grpc_port=free_port()), setup, MIGRATIONS, nats_server.url, tmp_path
        ) as channel:
            stub = pb_grpc.AnalyticsServiceStub(channel)
            await wait_until(lambda: consumer_caught_up(bus, ALL_DURABLE), what="consumed")
            assert await stub.GetEventCounts(pb.GetEventCountsRequest()) == expected

            # Events keep flowing while the service runs.
            await publish(
                bus, events.SESSION_CREATED, gateway_pb2.SessionCreated(session_id="s2"), "gateway"
            )

            async def two_sessions() -> bool:
                response = await stub.GetEventCounts(pb.GetEventCountsRequest())
                return response.total == 7

            await wait_until(two_sessions, what="live event counted")

        # Replay: same durable name, consumer deleted on the server, service restarted.
        await delete_consumer(bus, ALL_DURABLE)
        async with running_service(
            NAME, Settings(grpc_port=free_port()), setup, MIGRATIONS, nats_server.url, tmp_path
        ) as channel:
            stub = pb_grpc.AnalyticsServiceStub(channel)
            await wait_until(lambda: consumer_caught_up(bus, ALL_DURABLE), what="replayed")
            replayed = await stub.GetEventCounts(pb.GetEventCountsRequest())
        assert replayed.total == 7
        assert {c.subject: c.count for c in replayed.counts} == {
            events.SESSION_CREATED: 2,
            events.BEST_ACHIEVED: 1,
            events.RUN_COMPLETED: 4,
        }
