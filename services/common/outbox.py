"""Transactional outbox (publish after commit, never drop) and inbox (idempotent consumers).

Producers call `enqueue()` inside the unit of work that changes their state; the row commits
with it. `OutboxRelay` publishes committed rows in order and marks them published; when NATS
is unreachable the rows wait. Consumers wrap their effects in `process_once()`, which records
(consumer, event_id) in the same transaction, so a redelivered or replayed event is a no-op.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common.db import Database, utcnow
from services.common.events import Event, EventBus, headers_for, new_meta

log = logging.getLogger(__name__)

metadata = MetaData()

outbox = Table(
    "ascent_outbox",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("producer", String(64), nullable=False, index=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("subject", String(200), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("headers", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True, index=True),
    Column("attempts", Integer, nullable=False, default=0),
)

inbox = Table(
    "ascent_inbox",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("subject", String(200), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)


def create_tables(conn: Connection) -> None:
    """Used by each service's first migration."""
    metadata.create_all(conn, checkfirst=True)


def enqueue(session: Session, producer: str, subject: str, event: Event) -> str:
    """Stage an event in the caller's transaction. Fills `meta` when it is empty."""
    meta = event.meta
    if not meta.event_id:
        meta.CopyFrom(new_meta(producer))
    session.execute(
        insert(outbox).values(
            producer=producer,
            event_id=meta.event_id,
            subject=subject,
            payload=event.SerializeToString(),
            headers=json.dumps(headers_for(meta)),
            created_at=utcnow(),
            attempts=0,
        )
    )
    return str(meta.event_id)


T = TypeVar("T")


class _AlreadyProcessed(Exception):
    """Another delivery of the same event committed its inbox row first."""


def process_once(
    db: Database, consumer: str, subject: str, event_id: str, effect: Callable[[Session], T]
) -> tuple[bool, T | None]:
    """Apply `effect` once per (consumer, event_id). Returns (applied, result).

    Only a conflict on the inbox row means "already done"; any other integrity error raised
    by `effect` propagates, so the event is redelivered instead of silently acknowledged.
    """
    try:
        with db.session() as session:
            seen = session.execute(
                select(inbox.c.event_id).where(
                    inbox.c.consumer == consumer, inbox.c.event_id == event_id
                )
            ).first()
            if seen is not None:
                return False, None
            try:
                session.execute(
                    insert(inbox).values(
                        consumer=consumer,
                        event_id=event_id,
                        subject=subject,
                        processed_at=utcnow(),
                    )
                )
            except IntegrityError as exc:
                raise _AlreadyProcessed from exc
            result = effect(session)
        return True, result
    except _AlreadyProcessed:
        return False, None


class OutboxRelay:
    """Publishes committed outbox rows of one producer, in order, until they are acknowledged."""

    def __init__(self, db: Database, bus: EventBus, producer: str, interval: float = 0.5) -> None:
        self.db = db
        self.bus = bus
        self.producer = producer
        self.interval = interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-{self.producer}")

    def wake(self) -> None:
        """Call after a commit that enqueued events, to publish them without waiting."""
        self._wake.set()

    def pending(self) -> int:
        with self.db.engine.connect() as conn:
            rows = conn.execute(
                select(outbox.c.id).where(
                    outbox.c.producer == self.producer, outbox.c.published_at.is_(None)
                )
            ).all()
        return len(rows)

    async def _run(self) -> None:
        # The flag, not only the cancellation, ends the loop: on Python 3.11 a cancel that
        # lands while a timeout expires can be swallowed, and close() would wait forever.
        while not self._stopping:
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox publish deferred", extra={"error": repr(exc)})
            if self._stopping:
                return
            try:
                async with asyncio.timeout(self.interval):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()

    async def flush(self, batch: int = 200) -> int:
        """Publish pending rows; stops at the first failure so order is kept."""
        import json

        if not self.bus.connected.is_set():
            return 0
        published = 0
        while True:
            rows = await asyncio.to_thread(self._load, batch)
            if not rows:
                return published
            for row_id, subject, payload, headers in rows:
                try:
                    await self.bus.publish_raw(subject, payload, json.loads(headers))
                except Exception:
                    await asyncio.to_thread(self._bump_attempts, row_id)
                    raise
                await asyncio.to_thread(self._mark_published, row_id)
                published += 1

    def _load(self, batch: int) -> list[tuple[int, str, bytes, str]]:
        with self.db.engine.connect() as conn:
            result = conn.execute(
                select(outbox.c.id, outbox.c.subject, outbox.c.payload, outbox.c.headers)
                .where(outbox.c.producer == self.producer, outbox.c.published_at.is_(None))
                .order_by(outbox.c.id)
                .limit(batch)
            )
            return [(r[0], r[1], bytes(r[2]), r[3]) for r in result]

    def _mark_published(self, row_id: int) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.id == row_id).values(published_at=utcnow()))

    def _bump_attempts(self, row_id: int) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(
                update(outbox).where(outbox.c.id == row_id).values(attempts=outbox.c.attempts + 1)
            )

    async def close(self) -> None:
        """Try once more to publish what is pending, then stop (rows left stay for next start)."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        try:
            async with asyncio.timeout(3):
                await self.flush()
        except Exception:
            pass
