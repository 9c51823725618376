"""The one NATS consumer of analytics: every subject of the stream."""

from __future__ import annotations

import asyncio
import logging

from google.protobuf.message import Message
from sqlalchemy.orm import Session

from services.analytics import service
from services.common.db import Database
from services.common.outbox import process_once

log = logging.getLogger(__name__)

ALL_DURABLE = "analytics-all"
# `>` is accepted as a filter on a stream whose subjects are `learning.>`, `leaderboard.>`,
# ...: one durable consumer sees every event in stream order.
ALL_SUBJECTS = ">"


class EventRecorder:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def __call__(self, subject: str, event: Message) -> None:
        meta = event.meta  # type: ignore[attr-defined]
        if not meta.event_id:
            log.warning("event without an id ignored", extra={"subject": subject})
            return

        def effect(session: Session) -> bool:
            return service.record_event(session, subject, meta)

        await asyncio.to_thread(process_once, self.db, ALL_DURABLE, subject, meta.event_id, effect)
