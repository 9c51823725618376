"""Transactional outbox (publish after commit, never drop) and inbox (idempotent consumers).

Producers call `enqueue()` inside the unit of work that changes their state; the row commits
with it. `OutboxRelay` publishes committed rows in order and marks them published; when NATS
is unreachable the rows wait. Consumers wrap their effects in `process_once()`, which records
(consumer, event_id) in the same transaction, so a redelivered or replayed event is a no-op.

One bad row never blocks the others: a row JetStream can never take (larger than the
server's max_payload, or refused by the stream) is dead-lettered at once, any other failure
of the same row after `max_attempts` tries while NATS is connected; only connection trouble
(NATS down, a timeout) waits forever, because it is not the row's fault. A dead-lettered
row stays in the table with `dead_at` and `last_error` (an operator re-drives it with
`redrive()`, `python -m services.common.redrive`, once the cause is fixed), is logged as
an error and counted in `status()`, which every service serves over gRPC
(`ascent.ops.v1.OpsService`) for the gateway's `/healthz`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import nats.errors
import nats.js.errors
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
    and_,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from services.common.db import Database, add_missing_columns, utcnow
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
    # Set when the relay gave up on the row (see the module docstring); never published.
    Column("dead_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
)

# Failures of one row, while NATS is connected, before it is dead-lettered (with the relay's
# 0.5 s interval: about ten seconds of a row that the server keeps refusing).
MAX_ATTEMPTS = 20
_ERROR_CHARS = 500

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


def add_dead_letter_columns(conn: Connection) -> None:
    """Migration step (every service's `m0018_outbox_dead_letter`): an outbox created before
    dead-lettering gets its columns."""
    add_missing_columns(conn, metadata, {"ascent_outbox": ("dead_at", "last_error")})


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


@dataclass(frozen=True)
class OutboxStatus:
    """The relay's lag, for /healthz: rows waiting, the oldest one's age, rows given up on."""

    producer: str
    pending: int
    oldest_pending_seconds: float
    dead_lettered: int
    head_attempts: int = 0
    last_dead_subject: str = ""
    last_dead_event_id: str = ""
    last_dead_error: str = ""


class PermanentPublishError(Exception):
    """JetStream can never accept this row as it is: retrying it would block the others."""


def _permanent(exc: BaseException) -> bool:
    if isinstance(exc, (PermanentPublishError, nats.errors.MaxPayloadError)):
        return True
    # A JetStream API refusal (e.g. 400 "message size exceeds maximum allowed", a subject no
    # stream takes) is about the message; 503 "unavailable" is about the server.
    if isinstance(exc, nats.js.errors.ServiceUnavailableError):
        return False
    return isinstance(exc, nats.js.errors.APIError) and (exc.code or 0) in (400, 413)


def _transient(exc: BaseException) -> bool:
    """Connection trouble: every row would fail the same, so none is blamed for it."""
    return isinstance(
        exc,
        (
            ConnectionError,
            TimeoutError,
            asyncio.TimeoutError,
            nats.errors.TimeoutError,
            nats.errors.NoRespondersError,
            nats.errors.ConnectionClosedError,
            nats.errors.ConnectionReconnectingError,
            nats.errors.ConnectionDrainingError,
            nats.errors.OutboundBufferLimitError,
            nats.errors.StaleConnectionError,
            nats.js.errors.ServiceUnavailableError,
        ),
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class OutboxRelay:
    """Publishes committed outbox rows of one producer, in order, until they are acknowledged;
    dead-letters the rows that can never be (module docstring)."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        producer: str,
        interval: float = 0.5,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.db = db
        self.bus = bus
        self.producer = producer
        self.interval = interval
        self.max_attempts = max_attempts
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-{self.producer}")

    def wake(self) -> None:
        """Call after a commit that enqueued events, to publish them without waiting."""
        self._wake.set()

    def _waiting(self) -> ColumnElement[bool]:
        return and_(
            outbox.c.producer == self.producer,
            outbox.c.published_at.is_(None),
            outbox.c.dead_at.is_(None),
        )

    def pending(self) -> int:
        with self.db.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(outbox).where(self._waiting())
                ).scalar_one()
            )

    def status(self) -> OutboxStatus:
        with self.db.engine.connect() as conn:
            waiting = conn.execute(
                select(func.count(), func.min(outbox.c.id)).where(self._waiting())
            ).one()
            head = None
            if waiting[1] is not None:
                head = conn.execute(
                    select(outbox.c.created_at, outbox.c.attempts).where(outbox.c.id == waiting[1])
                ).one()
            dead_count = conn.execute(
                select(func.count()).where(
                    outbox.c.producer == self.producer, outbox.c.dead_at.is_not(None)
                )
            ).scalar_one()
            last_dead = conn.execute(
                select(outbox.c.subject, outbox.c.event_id, outbox.c.last_error)
                .where(outbox.c.producer == self.producer, outbox.c.dead_at.is_not(None))
                .order_by(outbox.c.dead_at.desc(), outbox.c.id.desc())
                .limit(1)
            ).first()
        age = 0.0
        if head is not None:
            age = max(0.0, (utcnow() - _aware(head[0])).total_seconds())
        return OutboxStatus(
            producer=self.producer,
            pending=int(waiting[0]),
            oldest_pending_seconds=age,
            dead_lettered=int(dead_count),
            head_attempts=int(head[1]) if head is not None else 0,
            last_dead_subject=last_dead[0] if last_dead is not None else "",
            last_dead_event_id=last_dead[1] if last_dead is not None else "",
            last_dead_error=(last_dead[2] or "") if last_dead is not None else "",
        )

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

    def _too_large(self, payload: bytes, headers: str) -> str | None:
        """Why the server would refuse the row for its size, if it would. The server counts
        the headers too (nats-py checks the payload only), and answers a violation by
        closing the connection, which would look like an outage and block the row forever."""
        nc = self.bus.nc
        limit = int(getattr(nc, "max_payload", 0) or 0) if nc is not None else 0
        try:
            fields = json.loads(headers)
        except ValueError:
            fields = None
        pairs = fields.items() if isinstance(fields, dict) else ()
        header_bytes = 12 + sum(len(f"{k}: {v}\r\n".encode()) for k, v in pairs)
        size = len(payload) + header_bytes
        if limit and size > limit:
            return f"message of {size:,} bytes exceeds the server's max_payload {limit:,}"
        return None

    async def flush(self, batch: int = 200) -> int:
        """Publish pending rows; stops at the first failure that is not the row's own, so
        order is kept; a row that can never be published is dead-lettered and skipped."""
        if not self.bus.connected.is_set():
            return 0
        published = 0
        while True:
            rows = await asyncio.to_thread(self._load, batch)
            if not rows:
                return published
            for row_id, subject, payload, headers in rows:
                problem = self._too_large(payload, headers)
                if problem is not None:
                    await asyncio.to_thread(self._dead_letter, row_id, subject, problem)
                    continue
                try:
                    await self.bus.publish_raw(subject, payload, json.loads(headers))
                except Exception as exc:
                    error = f"{type(exc).__name__}: {exc}"[:_ERROR_CHARS]
                    if _permanent(exc):
                        await asyncio.to_thread(self._dead_letter, row_id, subject, error)
                        continue
                    attempts = await asyncio.to_thread(self._bump_attempts, row_id, error)
                    if not _transient(exc) and attempts >= self.max_attempts:
                        await asyncio.to_thread(self._dead_letter, row_id, subject, error)
                        continue
                    raise
                await asyncio.to_thread(self._mark_published, row_id)
                published += 1

    def _load(self, batch: int) -> list[tuple[int, str, bytes, str]]:
        with self.db.engine.connect() as conn:
            result = conn.execute(
                select(outbox.c.id, outbox.c.subject, outbox.c.payload, outbox.c.headers)
                .where(self._waiting())
                .order_by(outbox.c.id)
                .limit(batch)
            )
            return [(r[0], r[1], bytes(r[2]), r[3]) for r in result]

    def _mark_published(self, row_id: int) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.id == row_id).values(published_at=utcnow()))

    def _bump_attempts(self, row_id: int, error: str) -> int:
        with self.db.engine.begin() as conn:
            conn.execute(
                update(outbox)
                .where(outbox.c.id == row_id)
                .values(attempts=outbox.c.attempts + 1, last_error=error)
            )
            return int(
                conn.execute(select(outbox.c.attempts).where(outbox.c.id == row_id)).scalar_one()
            )

    def _dead_letter(self, row_id: int, subject: str, error: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(
                update(outbox)
                .where(outbox.c.id == row_id)
                .values(dead_at=utcnow(), last_error=error[:_ERROR_CHARS])
            )
            event_id = conn.execute(
                select(outbox.c.event_id).where(outbox.c.id == row_id)
            ).scalar_one()
        # The alert: an error line an operator's log search finds, and status() for /healthz.
        log.error(
            "outbox event dead-lettered",
            extra={
                "producer": self.producer,
                "subject": subject,
                "event_id": event_id,
                "error": error[:_ERROR_CHARS],
            },
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


def redrive(db: Database, producer: str, event_id: str | None = None) -> list[str]:
    """Re-queue ``producer``'s dead-lettered rows (all, or the one ``event_id``) once their
    cause is fixed: ``dead_at``, ``attempts`` and ``last_error`` are cleared so the relay
    publishes them in order with the rest. Only rows that are dead and unpublished change, in
    one statement, so re-driving twice re-publishes once (the event keeps its id: JetStream's
    duplicate window and the consumers' inbox drop a repeat too). Returns the event ids."""
    dead = and_(
        outbox.c.producer == producer,
        outbox.c.dead_at.is_not(None),
        outbox.c.published_at.is_(None),
    )
    if event_id is not None:
        dead = and_(dead, outbox.c.event_id == event_id)
    with db.engine.begin() as conn:
        ids = list(
            conn.execute(select(outbox.c.event_id).where(dead).order_by(outbox.c.id)).scalars()
        )
        if ids:
            conn.execute(
                update(outbox)
                .where(dead, outbox.c.event_id.in_(ids))
                .values(dead_at=None, attempts=0, last_error=None)
            )
    for one in ids:
        log.warning("outbox event re-driven", extra={"producer": producer, "event_id": one})
    return ids
