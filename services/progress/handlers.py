"""NATS consumers of the progress service (idempotent through the inbox and the run id)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC

from ascent.events.v1 import authoring_pb2, coach_pb2, leaderboard_pb2, learning_pb2, serving_pb2
from google.protobuf.message import Message
from sqlalchemy.orm import Session

from services.common.db import Database
from services.common.outbox import OutboxRelay, process_once
from services.progress import service

log = logging.getLogger(__name__)

RUNS_DURABLE = "progress-runs"
RANKS_DURABLE = "progress-ranks"
AUTHORING_DURABLE = "progress-authoring"
FEEDBACK_DURABLE = "progress-feedback"
DEPLOYMENTS_DURABLE = "progress-deployments"
DRIFT_DURABLE = "progress-drift"


async def _award_once(
    db: Database,
    relay: OutboxRelay | None,
    durable: str,
    subject: str,
    event_id: str,
    effect: Callable[[Session], service.RunAward],
) -> None:
    """Apply an event's effect once per consumer (the inbox), then wake the relay when the
    award staged events (XP, badges, unlocks) so they leave without waiting for its tick."""
    _, award = await asyncio.to_thread(process_once, db, durable, subject, event_id, effect)
    if award is not None and award.enqueued and relay is not None:
        relay.wake()


class RunCompletedHandler:
    def __init__(self, db: Database, relay: OutboxRelay | None) -> None:
        self.db = db
        self.relay = relay

    async def __call__(self, subject: str, event: Message) -> None:
        assert isinstance(event, learning_pb2.RunCompleted)
        event_id = event.meta.event_id
        if not event_id:
            log.warning("run event without an id ignored", extra={"run_id": event.run.id})
            return

        def effect(session: Session) -> service.RunAward:
            # The event's own time: a replay writes the same timestamps.
            at = (
                event.meta.occurred_at.ToDatetime(tzinfo=UTC)
                if event.meta.HasField("occurred_at")
                else None
            )
            return service.record_run(session, event.run, event_id, at)

        await _award_once(self.db, self.relay, RUNS_DURABLE, subject, event_id, effect)


class ChallengeRankedHandler:
    """Leaderboard placements feed rank badges (e.g. top 3 on a challenge board)."""

    def __init__(self, db: Database, relay: OutboxRelay | None) -> None:
        self.db = db
        self.relay = relay

    async def __call__(self, subject: str, event: Message) -> None:
        assert isinstance(event, leaderboard_pb2.ChallengeRanked)
        event_id = event.meta.event_id
        if not event_id:
            return
        at = event.meta.occurred_at.ToDatetime(tzinfo=UTC)

        def effect(session: Session) -> service.RunAward:
            return service.record_rank(
                session,
                event.learner_id,
                event.challenge_slug,
                event.rank,
                event_id,
                at,
                event.public_score,
            )

        await _award_once(self.db, self.relay, RANKS_DURABLE, subject, event_id, effect)


class ProposalRatedHandler:
    """Accepted coach proposals feed the "AI improvement accepted" badge."""

    def __init__(self, db: Database, relay: OutboxRelay | None) -> None:
        self.db = db
        self.relay = relay

    async def __call__(self, subject: str, event: Message) -> None:
        assert isinstance(event, coach_pb2.ProposalRated)
        event_id = event.meta.event_id
        if not event_id:
            return
        at = event.meta.occurred_at.ToDatetime(tzinfo=UTC)

        def effect(session: Session) -> service.RunAward:
            return service.record_proposal_feedback(
                session, event.owner_id, event.proposal_id, event.verdict, event_id, at
            )

        await _award_once(self.db, self.relay, FEEDBACK_DURABLE, subject, event_id, effect)


class AuthoringHandler:
    """Published and archived authored challenges, mirrored into the catalog in stream order
    (one consumer for both subjects), so a replay rebuilds the same catalog."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def __call__(self, subject: str, event: Message) -> None:
        assert isinstance(event, authoring_pb2.ChallengePublished | authoring_pb2.ChallengeArchived)
        event_id = event.meta.event_id
        if not event_id:
            return

        def effect(session: Session) -> bool:
            if isinstance(event, authoring_pb2.ChallengePublished):
                stored = service.apply_published(session, event.challenge)
                if not stored:
                    log.warning(
                        "authored challenge not added",
                        extra={"slug": event.challenge.slug, "track": event.challenge.track_slug},
                    )
                return stored
            assert isinstance(event, authoring_pb2.ChallengeArchived)
            return service.apply_archived(session, event.slug)

        await asyncio.to_thread(process_once, self.db, AUTHORING_DURABLE, subject, event_id, effect)


# -- Deployments (issue 16) --
class DeploymentCreatedHandler:
    """New deployments feed the `models_deployed` badges ("first deployment")."""

    def __init__(self, db: Database, relay: OutboxRelay | None) -> None:
        self.db = db
        self.relay = relay

    async def __call__(self, subject: str, event: Message) -> None:
        assert isinstance(event, serving_pb2.DeploymentCreated)
        event_id = event.meta.event_id
        if not event_id:
            return
        at = event.meta.occurred_at.ToDatetime(tzinfo=UTC)

        facts = service.DeployedFacts(
            metric=event.metric,
            score=event.score if event.metric else None,
            score_source=event.score_source,
            passed=event.passed,
            challenge_slug=event.challenge_slug,
            run_id=event.run_id,
            p50_ms=event.p50_ms,
        )

        def effect(session: Session) -> service.RunAward:
            return service.record_deployment(
                session, event.owner_id, event.deployment_id, event.version, event_id, at, facts
            )

        await _award_once(self.db, self.relay, DEPLOYMENTS_DURABLE, subject, event_id, effect)


class DriftDetectedHandler:
    """Drift alerts on a learner's deployments feed the `drift_alerts` counter (the
    Production ML Engineer badge)."""

    def __init__(self, db: Database, relay: OutboxRelay | None) -> None:
        self.db = db
        self.relay = relay

    async def __call__(self, subject: str, event: Message) -> None:
        assert isinstance(event, serving_pb2.DriftDetected)
        event_id = event.meta.event_id
        if not event_id:
            return
        at = event.meta.occurred_at.ToDatetime(tzinfo=UTC)

        def effect(session: Session) -> service.RunAward:
            return service.record_drift_alert(
                session,
                event.owner_id,
                event.deployment_id,
                event.version,
                event.feature,
                event_id,
                at,
            )

        await _award_once(self.db, self.relay, DRIFT_DURABLE, subject, event_id, effect)
