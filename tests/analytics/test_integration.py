"""The analytics service for real: one consumer over every subject, counts through gRPC,
replay safe."""

from __future__ import annotations

import random
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
from tests.analytics import scenario
from tests.support import analytics_burst
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
                response: pb.GetEventCountsResponse = await stub.GetEventCounts(
                    pb.GetEventCountsRequest()
                )
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


FILTERS = [
    {"cohort_id": "COHORT"},
    {"cohort_id": "COHORT", "from_day": "2026-03-02"},
    {"cohort_id": "COHORT", "challenge_slug": scenario.CHALLENGE, "to_day": "2026-03-01"},
    {},
]


async def dashboards(
    stub: pb_grpc.AnalyticsServiceStub, cohort: str
) -> list[pb.GetDashboardResponse]:
    requests = [
        pb.DashboardFilter(**{k: cohort if v == "COHORT" else v for k, v in f.items()})
        for f in FILTERS
    ]
    return [await stub.GetDashboard(pb.GetDashboardRequest(filter=r)) for r in requests]


async def test_replay_into_an_empty_database_equals_live(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    week = scenario.build()
    shuffled = list(week.events)
    random.Random(3).shuffle(shuffled)
    async with event_bus(nats_server.url) as bus:
        for subject, message in shuffled:
            await publish(bus, subject, message)
        # Redelivered past the JetStream duplicate window, and a fact from now.
        for subject, message in shuffled[:3]:
            await publish(bus, subject, message, msg_id=str(uuid.uuid4()))
        for _ in range(3):
            await publish(bus, events.SESSION_CREATED, gateway_pb2.SessionCreated(), "gateway")

        async with running_service(
            NAME,
            Settings(grpc_port=free_port()),
            setup,
            MIGRATIONS,
            nats_server.url,
            tmp_path / "a",
        ) as channel:
            stub = pb_grpc.AnalyticsServiceStub(channel)
            await wait_until(lambda: consumer_caught_up(bus, ALL_DURABLE), what="consumed")
            live = await dashboards(stub, week.cohort_id)
            platform = await stub.GetPlatform(pb.GetPlatformRequest(window_minutes=60))

        await delete_consumer(bus, ALL_DURABLE)
        async with running_service(
            NAME,
            Settings(grpc_port=free_port()),
            setup,
            MIGRATIONS,
            nats_server.url,
            tmp_path / "b",
        ) as channel:
            stub = pb_grpc.AnalyticsServiceStub(channel)
            await wait_until(lambda: consumer_caught_up(bus, ALL_DURABLE), what="replayed")
            replayed = await dashboards(stub, week.cohort_id)

    assert live[0].learners == 2 and live[0].events_logged == len(week.events) + 3
    assert [(a.day, a.runs) for a in live[0].activity] == [("2026-03-01", 3), ("2026-03-02", 6)]
    assert replayed == live

    # The platform view: throughput of the events stamped "now", and the consumer's lag.
    throughput = {(t.subject, t.producer): t.events for t in platform.throughput}
    assert throughput == {(events.SESSION_CREATED, "gateway"): 3}
    assert sum(p.events for p in platform.timeline) == 3 and len(platform.timeline) == 60
    (consumer,) = [c for c in platform.consumers if c.durable == ALL_DURABLE]
    assert (consumer.num_pending, consumer.num_ack_pending) == (0, 0)
    assert consumer.ack_floor_stream_seq == platform.stream_messages == len(week.events) + 6


async def test_a_burst_of_10000_events_is_absorbed_exactly(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    """Timing is measured by bench/bench_analytics.py; here only exactness."""
    burst = analytics_burst.build(uuid.uuid4().hex[:6], total=10_000)
    async with event_bus(nats_server.url) as bus:
        async with running_service(
            NAME, Settings(grpc_port=free_port()), setup, MIGRATIONS, nats_server.url, tmp_path
        ) as channel:
            stub = pb_grpc.AnalyticsServiceStub(channel)
            await analytics_burst.publish_all(bus, burst.events)
            await wait_until(
                lambda: consumer_caught_up(bus, ALL_DURABLE), timeout=120, what="burst absorbed"
            )
            request = pb.GetDashboardRequest(filter=pb.DashboardFilter(cohort_id=burst.cohort_id))
            result = await stub.GetDashboard(request)
            counts = await stub.GetEventCounts(pb.GetEventCountsRequest())

    assert counts.total == result.events_logged == 10_000
    assert result.learners == burst.learners
    assert {a.day: (a.active_learners, a.runs) for a in result.activity} == burst.activity
    assert {
        c.challenge_slug: (c.runs, c.graded, c.passing) for c in result.challenges
    } == burst.challenges
    assert all(c.learners_passed == burst.learners for c in result.challenges)
