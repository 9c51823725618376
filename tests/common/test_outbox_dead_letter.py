"""Issue 18 §2: one event the server can never take must not stop the others.

Real nats-server (1 MiB max_payload, its default), real database. Before the fix the relay
retried the head row forever and, publishing in order, nothing behind it ever left.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from ascent.events.v1 import gateway_pb2
from google.protobuf.message import Message
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    insert,
    inspect,
    select,
)

from services.common import events
from services.common import redrive as redrive_cli
from services.common.db import Database, utcnow
from services.common.events import ConsumerSpec, EventBus
from services.common.outbox import (
    OutboxRelay,
    add_dead_letter_columns,
    create_tables,
    enqueue,
    outbox,
)
from tests.support.nats_server import NatsServer
from tests.support.polling import wait_until

DEAD_COLUMNS = {"dead_at", "last_error"}


def make_db(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'svc.db'}")
    with db.engine.begin() as conn:
        create_tables(conn)
    return db


def created(owner: str, pad: int = 0) -> gateway_pb2.SessionCreated:
    return gateway_pb2.SessionCreated(session_id=f"s-{owner}" + "x" * pad, owner_id=owner)


async def received_owners(url: str, expected: int) -> list[str]:
    seen: list[str] = []

    async def handler(subject: str, event: Message) -> None:
        assert isinstance(event, gateway_pb2.SessionCreated)
        seen.append(event.owner_id)

    bus = EventBus(url, producer="probe")
    await bus.start()
    bus.consume(ConsumerSpec("probe-owners", events.SESSION_CREATED, handler))
    try:
        await wait_until(lambda: len(seen) >= expected, timeout=20)
    finally:
        await bus.close()
    return seen


async def test_an_event_over_max_payload_is_dead_lettered_and_the_rest_flow(
    tmp_path: Path, nats_server: NatsServer, caplog: pytest.LogCaptureFixture
) -> None:
    db = make_db(tmp_path)
    bus = EventBus(nats_server.url, producer="gateway")
    relay = OutboxRelay(db, bus, producer="gateway", interval=0.1)
    with db.session() as session:
        enqueue(session, "gateway", events.SESSION_CREATED, created("first"))
        # 1.2 MB: over nats-server's default 1 MiB max_payload, as the run event of issue 18.
        big_id = enqueue(session, "gateway", events.SESSION_CREATED, created("big", 1_200_000))
        enqueue(session, "gateway", events.SESSION_CREATED, created("after"))
    await bus.start()
    await asyncio.wait_for(bus.connected.wait(), 10)
    caplog.set_level(logging.ERROR, logger="services.common.outbox")
    relay.start()
    try:
        await wait_until(lambda: relay.pending() == 0, timeout=20)
        status = relay.status()
    finally:
        await relay.close()
        await bus.close()

    assert await received_owners(nats_server.url, 2) == ["first", "after"]
    assert status.pending == 0 and status.dead_lettered == 1
    assert status.last_dead_event_id == big_id
    assert status.last_dead_subject == events.SESSION_CREATED
    assert "max_payload" in status.last_dead_error
    alert = [r for r in caplog.records if r.getMessage() == "outbox event dead-lettered"]
    assert alert and getattr(alert[0], "event_id", None) == big_id
    with db.engine.connect() as conn:
        row = conn.execute(
            select(outbox.c.published_at, outbox.c.dead_at).where(outbox.c.event_id == big_id)
        ).one()
    assert row.published_at is None and row.dead_at is not None, "kept, never published"


async def test_a_row_that_fails_every_time_is_dead_lettered_after_max_attempts(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    db = make_db(tmp_path)
    with db.engine.begin() as conn:
        # A row whose headers are no JSON at all: publishing it fails the same way each time.
        conn.execute(
            insert(outbox).values(
                producer="gateway",
                event_id="broken-row",
                subject=events.SESSION_CREATED,
                payload=created("broken").SerializeToString(),
                headers="{not json",
                created_at=utcnow(),
                attempts=0,
            )
        )
    with db.session() as session:
        enqueue(session, "gateway", events.SESSION_CREATED, created("behind"))
    bus = EventBus(nats_server.url, producer="gateway")
    relay = OutboxRelay(db, bus, producer="gateway", interval=0.05, max_attempts=3)
    await bus.start()
    await asyncio.wait_for(bus.connected.wait(), 10)
    relay.start()
    try:
        await wait_until(lambda: relay.pending() == 0, timeout=20)
        status = relay.status()
    finally:
        await relay.close()
        await bus.close()
    assert await received_owners(nats_server.url, 1) == ["behind"]
    assert status.dead_lettered == 1 and status.last_dead_event_id == "broken-row"
    with db.engine.connect() as conn:
        attempts = conn.execute(
            select(outbox.c.attempts).where(outbox.c.event_id == "broken-row")
        ).scalar_one()
    assert attempts == 3


async def test_a_fixed_dead_letter_is_re_driven_once(
    tmp_path: Path, nats_server: NatsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_db(tmp_path)
    with db.engine.begin() as conn:
        conn.execute(
            insert(outbox).values(
                producer="gateway",
                event_id="fixable-row",
                subject=events.SESSION_CREATED,
                payload=created("fixable").SerializeToString(),
                headers="{not json",
                created_at=utcnow(),
                attempts=0,
            )
        )
    with db.session() as session:
        enqueue(session, "gateway", events.SESSION_CREATED, created("behind"))
    seen: list[str] = []

    async def handler(subject: str, event: Message) -> None:
        assert isinstance(event, gateway_pb2.SessionCreated)
        seen.append(event.owner_id)

    bus = EventBus(nats_server.url, producer="gateway")
    relay = OutboxRelay(db, bus, producer="gateway", interval=0.05, max_attempts=2)
    await bus.start()
    await asyncio.wait_for(bus.connected.wait(), 10)
    bus.consume(ConsumerSpec("probe-redrive", events.SESSION_CREATED, handler))
    relay.start()
    url = db.url
    try:
        await wait_until(
            lambda: seen == ["behind"] and relay.status().dead_lettered == 1, timeout=20
        )
        with db.engine.begin() as conn:  # the cause is fixed (here: the row's headers)
            conn.execute(
                outbox.update()
                .where(outbox.c.event_id == "fixable-row")
                .values(headers='{"Nats-Msg-Id": "fixable-row"}')
            )
        assert redrive_cli.main(["--database-url", url, "--producer", "gateway"]) == 0
        assert capsys.readouterr().out == "fixable-row\nre-driven: 1\n"
        await wait_until(lambda: seen == ["behind", "fixable"], timeout=20)
        # Again, after it went out, and once more for good measure: nothing is re-queued.
        for _ in range(2):
            redrive_cli.main(["--database-url", url, "--producer", "gateway"])
            assert capsys.readouterr().out == "re-driven: 0\n"
        await asyncio.sleep(1.0)  # room for a wrong second publish to arrive
        status = relay.status()
    finally:
        await relay.close()
        await bus.close()
    assert seen == ["behind", "fixable"], "published exactly once"
    assert status.dead_lettered == 0 and status.pending == 0


async def test_rows_wait_while_nats_is_down_and_status_reports_their_age(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    db = make_db(tmp_path)
    bus = EventBus(nats_server.url, producer="gateway")
    relay = OutboxRelay(db, bus, producer="gateway", interval=0.05, max_attempts=2)
    await bus.start()
    await asyncio.wait_for(bus.connected.wait(), 10)
    relay.start()
    nats_server.stop()
    try:
        await wait_until(lambda: not bus.connected.is_set())
        with db.session() as session:
            for owner in ("a", "b"):
                enqueue(session, "gateway", events.SESSION_CREATED, created(owner))
        relay.wake()
        await asyncio.sleep(1.0)
        status = relay.status()
        # Connection trouble is nobody's row's fault: nothing is dead-lettered for it.
        assert status.pending == 2 and status.dead_lettered == 0
        assert status.oldest_pending_seconds >= 0.9
        nats_server.start()
        await wait_until(lambda: relay.pending() == 0, timeout=20)
        assert relay.status().oldest_pending_seconds == 0.0
    finally:
        await relay.close()
        await bus.close()


def test_an_outbox_made_before_dead_letters_gets_their_columns(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    old = MetaData()
    # The table as services created it before: the same columns, minus the two new ones.
    Table(
        "ascent_outbox",
        old,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("producer", String(64), nullable=False),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("subject", String(200), nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("headers", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
    )
    with db.engine.begin() as conn:
        old.create_all(conn)
        add_dead_letter_columns(conn)
        add_dead_letter_columns(conn)  # idempotent, like every migration step
        present = {column["name"] for column in inspect(conn).get_columns("ascent_outbox")}
    assert DEAD_COLUMNS <= present
    with db.session() as session:
        enqueue(session, "gateway", events.SESSION_CREATED, created("x"))
    relay = OutboxRelay(db, EventBus("nats://127.0.0.1:1", producer="gateway"), "gateway")
    assert relay.status().pending == 1 and relay.status().dead_lettered == 0
