"""The event bus, outbox and inbox against a real nats-server and a real database."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from ascent.events.v1 import gateway_pb2
from google.protobuf.message import Message
from sqlalchemy import text
from sqlalchemy.orm import Session

from services.common import events
from services.common.db import Database
from services.common.events import EventBus
from services.common.outbox import OutboxRelay, create_tables, enqueue, process_once
from tests.support.nats_server import NatsServer
from tests.support.polling import wait_until
from tests.support.postgres import private_schema, require_postgres


def make_db(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'svc.db'}")
    with db.engine.begin() as conn:
        create_tables(conn)
    return db


def session_created(owner: str) -> gateway_pb2.SessionCreated:
    return gateway_pb2.SessionCreated(session_id=f"s-{owner}", owner_id=owner)


async def test_outbox_keeps_events_while_nats_is_down_and_consumer_is_idempotent(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    db = make_db(tmp_path)
    producer_bus = EventBus(nats_server.url, producer="gateway")
    relay = OutboxRelay(db, producer_bus, producer="gateway", interval=0.1)
    await producer_bus.start()
    await asyncio.wait_for(producer_bus.connected.wait(), 10)
    relay.start()

    nats_server.stop()
    await wait_until(lambda: not producer_bus.connected.is_set())
    with db.session() as session:
        for owner in ("a", "b", "c"):
            enqueue(session, "gateway", events.SESSION_CREATED, session_created(owner))
    relay.wake()
    await asyncio.sleep(0.5)
    assert relay.pending() == 3, "events must be kept while NATS is down"

    nats_server.start()
    await wait_until(lambda: relay.pending() == 0, timeout=20)

    seen: list[str] = []
    consumer_db = Database(f"sqlite:///{tmp_path / 'consumer.db'}")
    with consumer_db.engine.begin() as conn:
        create_tables(conn)
        conn.execute(text("CREATE TABLE owners (owner TEXT)"))

    async def handler(subject: str, event: Message) -> None:
        assert isinstance(event, gateway_pb2.SessionCreated)

        def effect(session: Session) -> None:
            session.execute(text("INSERT INTO owners VALUES (:o)"), {"o": event.owner_id})

        applied, _ = process_once(consumer_db, "test", subject, event.meta.event_id, effect)
        if applied:
            seen.append(event.owner_id)

    consumer_bus = EventBus(nats_server.url, producer="test")
    await consumer_bus.start()
    from services.common.events import ConsumerSpec

    consumer_bus.consume(ConsumerSpec("test-consumer", "gateway.>", handler))
    await wait_until(lambda: len(seen) == 3)
    assert seen == ["a", "b", "c"], "published in commit order"

    # Replay: a fresh durable over the same stream re-delivers everything; nothing changes.
    consumer_bus.consume(ConsumerSpec("test-replay", "gateway.>", handler))
    await asyncio.sleep(1.5)
    with consumer_db.engine.connect() as conn:
        owners = [r[0] for r in conn.execute(text("SELECT owner FROM owners"))]
    assert sorted(owners) == ["a", "b", "c"]

    await relay.close()
    await consumer_bus.close()
    await producer_bus.close()


async def test_poison_message_is_terminated_not_redelivered(nats_server: NatsServer) -> None:
    bus = EventBus(nats_server.url, producer="test")
    await bus.start()
    await asyncio.wait_for(bus.connected.wait(), 10)
    calls: list[str] = []

    async def handler(subject: str, event: object) -> None:
        calls.append(subject)

    await bus.publish_raw(events.SESSION_CREATED, b"\xff\xff not protobuf", {"Nats-Msg-Id": "x1"})
    good = session_created("ok")
    good.meta.CopyFrom(events.new_meta("test"))
    await bus.publish_raw(
        events.SESSION_CREATED, good.SerializeToString(), events.headers_for(good.meta)
    )
    from services.common.events import ConsumerSpec

    bus.consume(ConsumerSpec("poison-test", "gateway.>", handler))
    await wait_until(lambda: len(calls) == 1)
    await asyncio.sleep(1.5)
    assert calls == [events.SESSION_CREATED]
    await bus.close()


@pytest.mark.postgres
def test_inbox_on_postgres() -> None:
    with private_schema(require_postgres()) as (url, _):
        inbox_round_trip(url)


def inbox_round_trip(url: str) -> None:
    db = Database(url)
    with db.engine.begin() as conn:
        create_tables(conn)
    event_id = os.urandom(8).hex()
    first = process_once(db, "pg-test", "x", event_id, lambda s: 1)
    second = process_once(db, "pg-test", "x", event_id, lambda s: 2)
    assert first == (True, 1)
    assert second == (False, None)
    db.dispose()
