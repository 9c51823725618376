"""Analytics logic: log every event once and keep per-subject counts."""

from __future__ import annotations

from ascent.analytics.v1 import analytics_service_pb2 as pb
from ascent.events.v1 import meta_pb2
from sqlalchemy.orm import Session

from services.analytics.models import EventLog
from services.analytics.repository import AnalyticsRepository
from services.common.db import utcnow


def record_event(session: Session, subject: str, meta: meta_pb2.EventMeta) -> bool:
    """Append the event to the log and count it; False when the event id was already logged."""
    repo = AnalyticsRepository(session)
    if repo.event_logged(meta.event_id):
        return False
    occurred = meta.occurred_at
    repo.log_event(
        EventLog(
            event_id=meta.event_id,
            subject=subject,
            producer=meta.producer,
            occurred_at=occurred.ToDatetime(tzinfo=utcnow().tzinfo)
            if occurred.seconds or occurred.nanos
            else None,
            received_at=utcnow(),
        )
    )
    repo.increment(subject)
    return True


def event_counts(session: Session) -> pb.GetEventCountsResponse:
    response = pb.GetEventCountsResponse()
    for row in AnalyticsRepository(session).counts():
        response.counts.append(pb.EventCount(subject=row.subject, count=row.count))
        response.total += row.count
    return response
