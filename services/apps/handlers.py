"""NATS consumers of the apps service (idempotent through the inbox)."""

from __future__ import annotations

import asyncio

from ascent.events.v1 import learning_pb2
from google.protobuf.message import Message
from sqlalchemy.orm import Session

from services.apps import service
from services.common.db import Database
from services.common.outbox import OutboxRelay, process_once

RUNS_DURABLE = "apps-runs"


class RunCompletedHandler:
    """A notebook run decides whether the suggestions applied before it helped."""

    def __init__(self, db: Database, relay: OutboxRelay | None) -> None:
        self.db = db
        self.relay = relay

    async def __call__(self, subject: str, event: Message) -> None:
        if not isinstance(event, learning_pb2.RunCompleted) or not event.meta.event_id:
            return
        run = event.run

        def effect(session: Session) -> int:
            return service.on_run_completed(session, run)

        _, decided = await asyncio.to_thread(
            process_once, self.db, RUNS_DURABLE, subject, event.meta.event_id, effect
        )
        if decided and self.relay is not None:
            self.relay.wake()
