"""Analytics logic on a real database: each event logged and counted exactly once."""

from __future__ import annotations

import uuid

from ascent.events.v1 import meta_pb2
from sqlalchemy import select

from services.analytics import service
from services.analytics.models import EventLog
from services.common import events
from services.common.db import Database
from services.common.outbox import process_once


def counts(db: Database) -> tuple[dict[str, int], int]:
    with db.session() as session:
        response = service.event_counts(session)
    return {c.subject: c.count for c in response.counts}, response.total


def record(db: Database, consumer: str, subject: str, meta: meta_pb2.EventMeta) -> bool:
    applied, _ = process_once(
        db, consumer, subject, meta.event_id, lambda s: service.record_event(s, subject, meta)
    )
    return applied


def test_events_are_logged_and_counted_per_subject(db: Database) -> None:
    # Subjects unique to this test keep it independent of rows left in a shared database.
    tag = uuid.uuid4().hex[:8]
    runs, bests = f"test{tag}.run.completed.v1", f"test{tag}.best.achieved.v1"
    _, total_before = counts(db)
    metas = [events.new_meta("execution") for _ in range(3)]
    for meta in metas:
        record(db, "analytics-all", runs, meta)
    best = events.new_meta("leaderboard")
    record(db, "analytics-all", bests, best)

    by_subject, total = counts(db)
    assert (by_subject[runs], by_subject[bests]) == (3, 1)
    assert total - total_before == 4
    with db.engine.connect() as conn:
        row = conn.execute(select(EventLog).where(EventLog.event_id == best.event_id)).one()
    assert (row.subject, row.producer) == (bests, "leaderboard")
    assert row.occurred_at is not None
    assert row.received_at is not None


def test_counts_are_idempotent_under_redelivery_and_replay(db: Database) -> None:
    subject = f"test{uuid.uuid4().hex[:8]}.session.created.v1"
    meta = events.new_meta("gateway")
    assert record(db, "analytics-all", subject, meta) is True
    assert record(db, "analytics-all", subject, meta) is False, "redelivery"
    # A replay under another consumer name passes the inbox; the event-id key still holds.
    assert record(db, "analytics-replay", subject, meta) is True
    with db.session() as session:
        assert service.record_event(session, subject, meta) is False
    assert counts(db)[0][subject] == 1


def test_event_without_occurred_at_is_still_counted(db: Database) -> None:
    subject = f"test{uuid.uuid4().hex[:8]}.thing.happened.v1"
    meta = meta_pb2.EventMeta(event_id=str(uuid.uuid4()), producer="x")
    with db.session() as session:
        assert service.record_event(session, subject, meta) is True
    assert counts(db)[0][subject] == 1
