"""NATS consumers: every scored run becomes an observation, exactly once."""

from __future__ import annotations

import asyncio
import logging

from ascent.events.v1 import coach_pb2, gateway_pb2, learning_pb2
from google.protobuf.message import Message

from services.common.db import Database
from services.common.errors import AscentError
from services.common.outbox import process_once
from services.recommender.flows import ensure_profile
from services.recommender.service import (
    RecommenderService,
    record_challenge_attempt,
    record_dataset_name,
    scored_run,
)

log = logging.getLogger(__name__)

RUNS_CONSUMER = "recommender-runs"
FEEDBACK_CONSUMER = "recommender-feedback"
# Its own durable consumer (not recommender-runs): created on upgrade, it replays the stream
# from the start, so learners' earlier challenge submissions are learnt too.
LEARNERS_CONSUMER = "recommender-learners"
DATASETS_CONSUMER = "recommender-datasets"


class RunsHandler:
    """Scored runs → observations of the knowledge base, exactly once per event."""

    def __init__(self, db: Database, service: RecommenderService) -> None:
        self.db = db
        self.service = service

    async def __call__(self, subject: str, event: Message) -> None:
        assert isinstance(event, learning_pb2.RunCompleted)
        await asyncio.to_thread(self.record, subject, event)

    def record(self, subject: str, event: learning_pb2.RunCompleted) -> bool:
        """True when the event added an observation."""
        scored = scored_run(event.run)
        if scored is None:
            return False
        try:
            meta = ensure_profile(self.db, self.service, event.run.dataset_sha256)
        except AscentError as err:
            # The dataset was deleted or is unreadable: nothing to learn, nothing to retry.
            log.info(
                "run skipped: dataset unavailable",
                extra={"run_id": event.run.id, "reason": err.message},
            )
            return False
        applied, added = process_once(
            self.db,
            RUNS_CONSUMER,
            subject,
            event.meta.event_id,
            lambda session: self.service.record_run(session, scored, meta),
        )
        return bool(applied and added)


class FeedbackHandler:
    """Ratings and accept/reject of coach proposals, exactly once per event."""

    def __init__(self, db: Database, service: RecommenderService) -> None:
        self.db = db
        self.service = service

    async def __call__(self, subject: str, event: Message) -> None:
        assert isinstance(event, coach_pb2.ProposalRated)
        await asyncio.to_thread(self.record, subject, event)

    def record(self, subject: str, event: coach_pb2.ProposalRated) -> bool:
        applied, added = process_once(
            self.db,
            FEEDBACK_CONSUMER,
            subject,
            event.meta.event_id,
            lambda session: self.service.record_feedback(
                session, event.proposal_id, list(event.pipeline_keys), event.rating, event.verdict
            ),
        )
        return bool(applied and added)


class LearnersHandler:
    """Challenge submissions → the learner's record per challenge, exactly once per event."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def __call__(self, subject: str, event: Message) -> None:
        assert isinstance(event, learning_pb2.RunCompleted)
        await asyncio.to_thread(self.record, subject, event)

    def record(self, subject: str, event: learning_pb2.RunCompleted) -> bool:
        if not (event.run.challenge_slug or event.run.grade.challenge_slug):
            return False
        applied, added = process_once(
            self.db,
            LEARNERS_CONSUMER,
            subject,
            event.meta.event_id,
            lambda session: record_challenge_attempt(session, event.run),
        )
        return bool(applied and added)


class DatasetsHandler:
    """Uploaded datasets → the name they are cited by as similar datasets (exactly once),
    and their profile computed now, so the coach's first Improve on them finds it cached
    (profiling a large file can take longer than the coach waits for advice)."""

    def __init__(self, db: Database, service: RecommenderService) -> None:
        self.db = db
        self.service = service

    async def __call__(self, subject: str, event: Message) -> None:
        assert isinstance(event, gateway_pb2.DatasetUploaded)
        await asyncio.to_thread(self.record, subject, event)

    def record(self, subject: str, event: gateway_pb2.DatasetUploaded) -> bool:
        applied, added = process_once(
            self.db,
            DATASETS_CONSUMER,
            subject,
            event.meta.event_id,
            lambda session: record_dataset_name(session, event.dataset_sha256, event.filename),
        )
        if event.dataset_sha256:
            try:
                ensure_profile(self.db, self.service, event.dataset_sha256)
            except AscentError as err:
                log.info(
                    "upload not profiled: dataset unavailable",
                    extra={"dataset_sha256": event.dataset_sha256, "reason": err.message},
                )
        return bool(applied and added)
