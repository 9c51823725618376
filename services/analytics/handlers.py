"""The one NATS consumer of analytics: every subject of the stream, in batches."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from services.analytics.ingest import Incoming, decode, ingest
from services.common.db import Database
from services.common.events import RawEvent

log = logging.getLogger(__name__)

ALL_DURABLE = "analytics-all"
# `>` is accepted as a filter on a stream whose subjects are `learning.>`, `leaderboard.>`,
# ...: one durable consumer sees every event in stream order, subjects added later included.
ALL_SUBJECTS = ">"
# Messages per fetch and per transaction: a 10,000-event burst is 20 commits, not 10,000.
BATCH = 500


class EventRecorder:
    """Logs a fetched batch in one unit of work; poison messages are reported for `term()`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def __call__(self, batch: list[RawEvent]) -> set[int]:
        poison: set[int] = set()
        decoded: list[Incoming] = []
        for index, raw in enumerate(batch):
            item = decode(raw)
            if item is None:
                poison.add(index)
            else:
                decoded.append(item)

        def effect(session: Session) -> int:
            return ingest(session, decoded)

        if decoded:
            await self.db.run(effect)
        return poison
