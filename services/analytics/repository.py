"""Every query of the analytics service."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.analytics.models import EventLog, SubjectCount


class AnalyticsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def event_logged(self, event_id: str) -> bool:
        return self.session.get(EventLog, event_id) is not None

    def log_event(self, entry: EventLog) -> None:
        self.session.add(entry)
        self.session.flush()

    def increment(self, subject: str) -> None:
        # An UPDATE with an expression increments atomically; insert only the first time.
        result = self.session.execute(
            update(SubjectCount)
            .where(SubjectCount.subject == subject)
            .values(count=SubjectCount.count + 1)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            self.session.add(SubjectCount(subject=subject, count=1))
            self.session.flush()

    def counts(self) -> list[SubjectCount]:
        return list(self.session.scalars(select(SubjectCount).order_by(SubjectCount.subject)))
