"""NATS consumers of the leaderboard (idempotent through the inbox and the run id)."""

from __future__ import annotations

import asyncio
import logging

from ascent.events.v1 import learning_pb2
from google.protobuf.message import Message
from sqlalchemy.orm import Session

from services.common.db import Database
from services.common.errors import AscentError
from services.common.outbox import OutboxRelay, process_once
from services.leaderboard import service

log = logging.getLogger(__name__)

RUNS_DURABLE = "leaderboard-runs"


class RunCompletedHandler:
    def __init__(self, db: Database, relay: OutboxRelay | None) -> None:
        self.db = db
        self.relay = relay

    async def __call__(self, subject: str, event: Message) -> None:
        assert isinstance(event, learning_pb2.RunCompleted)
        if not event.meta.event_id:
            log.warning("run event without an id ignored", extra={"run_id": event.run.id})
            return

        def effect(session: Session) -> service.RecordResult:
            return service.record_run(session, event.run, event.meta.occurred_at)

        try:
            _, result = await asyncio.to_thread(
                process_once, self.db, RUNS_DURABLE, subject, event.meta.event_id, effect
            )
        except AscentError as err:
            # An invalid run can never be recorded: drop it rather than redeliver forever.
            log.error("run event rejected", extra={"run_id": event.run.id, "error": err.message})
            return
        if result is not None and result.recorded and self.relay is not None:
            self.relay.wake()
