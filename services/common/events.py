"""Event contracts and the NATS JetStream bus.

Subjects follow `<domain>.<entity>.<past-tense>.v<N>`; the payload is the protobuf message
registered for the subject, whose field 1 is `EventMeta`. The same id travels as the
`Nats-Msg-Id` header, so JetStream drops re-published duplicates inside its window, and
consumers record processed ids (see `outbox.py`) so a replay changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import nats
from ascent.events.v1 import (
    apps_pb2,
    authoring_pb2,
    coach_pb2,
    gateway_pb2,
    leaderboard_pb2,
    learning_pb2,
    meta_pb2,
    progress_pb2,
    recommender_pb2,
    serving_pb2,
)
from google.protobuf.message import DecodeError, Message
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import api as js_api
from nats.js.errors import NotFoundError

log = logging.getLogger(__name__)

RUN_COMPLETED = "learning.run.completed.v1"
BEST_ACHIEVED = "leaderboard.best.achieved.v1"
XP_AWARDED = "progress.xp.awarded.v1"
BADGE_AWARDED = "progress.badge.awarded.v1"
CHALLENGE_PASSED = "progress.challenge.passed.v1"
TRACK_UNLOCKED = "progress.track.unlocked.v1"
CHALLENGE_RANKED = "leaderboard.challenge.ranked.v1"
IMPROVEMENT_PROPOSED = "coach.improvement.proposed.v1"
PROPOSAL_RATED = "coach.proposal.rated.v1"
SESSION_CREATED = "gateway.session.created.v1"
DATASET_UPLOADED = "gateway.dataset.uploaded.v1"
# Deprecated: nothing publishes it any more (the notebook's thumbs go through coach.Rate,
# i.e. PROPOSAL_RATED); kept registered so streams that still hold old copies replay.
ADVICE_RATED = "gateway.advice.rated.v1"
COHORT_CREATED = "gateway.cohort.created.v1"
COHORT_JOINED = "gateway.cohort.joined.v1"
ASSIGNMENT_CREATED = "gateway.assignment.created.v1"
HINT_REVEALED = "gateway.hint.revealed.v1"
ANSWER_TAKEN = "gateway.answer.taken.v1"
AUTHORED_PUBLISHED = "authoring.challenge.published.v1"
AUTHORED_ARCHIVED = "authoring.challenge.archived.v1"
APPS_ANALYSIS_STARTED = "apps.analysis.started.v1"
APPS_ANALYSIS_COMPLETED = "apps.analysis.completed.v1"
APPS_SUGGESTION_APPLIED = "apps.suggestion.applied.v1"
APPS_SUGGESTION_EVALUATED = "apps.suggestion.evaluated.v1"
APPS_VIEW_RECORDED = "apps.view.recorded.v1"
APPS_AUTOML_TRIAL = "apps.automl.trial.v1"
# -- the knowledge base's growth (issue 20 §4) --
RECOMMENDER_OBSERVATION_RECORDED = "recommender.observation.recorded.v1"
# -- serving (issue 16) --
SERVING_DEPLOYMENT_CREATED = "serving.deployment.created.v1"
SERVING_MODEL_SERVED = "serving.model.served.v1"
# Model Explainability Suite (issue 15)
APPS_EXPLANATION_RATED = "apps.explanation.rated.v1"
# -- Time-Series Forecaster (issue 15) --
APPS_FORECAST_EVALUATED = "apps.forecast.evaluated.v1"
# -- serving monitor (issue 16, drift) --
SERVING_DRIFT_DETECTED = "serving.drift.detected.v1"
SERVING_CONCEPT_DRIFT_DETECTED = "serving.concept_drift.detected.v1"
# -- learning by teaching (issue 17) --
EXPLANATION_POSTED = "progress.explanation.posted.v1"
EXPLANATION_VOTED = "progress.explanation.voted.v1"
EXPLANATION_VALIDATED = "progress.explanation.validated.v1"

EVENT_TYPES: dict[str, type[Message]] = {
    RUN_COMPLETED: learning_pb2.RunCompleted,
    BEST_ACHIEVED: leaderboard_pb2.BestAchieved,
    XP_AWARDED: progress_pb2.XpAwarded,
    BADGE_AWARDED: progress_pb2.BadgeAwarded,
    CHALLENGE_PASSED: progress_pb2.ChallengePassed,
    TRACK_UNLOCKED: progress_pb2.TrackUnlocked,
    CHALLENGE_RANKED: leaderboard_pb2.ChallengeRanked,
    IMPROVEMENT_PROPOSED: coach_pb2.ImprovementProposed,
    PROPOSAL_RATED: coach_pb2.ProposalRated,
    SESSION_CREATED: gateway_pb2.SessionCreated,
    DATASET_UPLOADED: gateway_pb2.DatasetUploaded,
    ADVICE_RATED: gateway_pb2.AdviceRated,
    COHORT_CREATED: gateway_pb2.CohortCreated,
    COHORT_JOINED: gateway_pb2.CohortJoined,
    ASSIGNMENT_CREATED: gateway_pb2.AssignmentCreated,
    HINT_REVEALED: gateway_pb2.HintRevealed,
    ANSWER_TAKEN: gateway_pb2.AnswerTaken,
    AUTHORED_PUBLISHED: authoring_pb2.ChallengePublished,
    AUTHORED_ARCHIVED: authoring_pb2.ChallengeArchived,
    APPS_ANALYSIS_STARTED: apps_pb2.AnalysisStarted,
    APPS_ANALYSIS_COMPLETED: apps_pb2.AnalysisCompleted,
    APPS_SUGGESTION_APPLIED: apps_pb2.SuggestionApplied,
    APPS_SUGGESTION_EVALUATED: apps_pb2.SuggestionEvaluated,
    APPS_AUTOML_TRIAL: apps_pb2.AutomlTrial,
    APPS_EXPLANATION_RATED: apps_pb2.ExplanationRated,
    APPS_VIEW_RECORDED: apps_pb2.ViewRecorded,
    RECOMMENDER_OBSERVATION_RECORDED: recommender_pb2.ObservationRecorded,
    # -- serving (issue 16) --
    SERVING_DEPLOYMENT_CREATED: serving_pb2.DeploymentCreated,
    SERVING_MODEL_SERVED: serving_pb2.ModelServed,
    # -- Time-Series Forecaster (issue 15) --
    APPS_FORECAST_EVALUATED: apps_pb2.ForecastEvaluated,
    # -- serving monitor (issue 16, drift) --
    SERVING_DRIFT_DETECTED: serving_pb2.DriftDetected,
    SERVING_CONCEPT_DRIFT_DETECTED: serving_pb2.ConceptDriftDetected,
    # -- learning by teaching (issue 17) --
    EXPLANATION_POSTED: progress_pb2.ExplanationPosted,
    EXPLANATION_VOTED: progress_pb2.ExplanationVoted,
    EXPLANATION_VALIDATED: progress_pb2.ExplanationValidated,
}

STREAM_SUBJECTS = [
    "learning.>",
    "leaderboard.>",
    "progress.>",
    "coach.>",
    "gateway.>",
    "authoring.>",
    "apps.>",
    # -- serving (issue 16) --
    "serving.>",
    "recommender.>",
]

HDR_MSG_ID = "Nats-Msg-Id"
HDR_PRODUCER = "Ascent-Producer"
HDR_OCCURRED_AT = "Ascent-Occurred-At"
HDR_TRACEPARENT = "traceparent"


class Event(Protocol):
    """What producing an event needs of its message: every registered event type has its
    `EventMeta` in field 1, `meta` (protobuf's base class knows nothing of it)."""

    @property
    def meta(self) -> meta_pb2.EventMeta: ...

    def SerializeToString(self, *, deterministic: bool = ...) -> bytes: ...


def meta_of(message: Message) -> meta_pb2.EventMeta:
    """The `EventMeta` of a decoded event of a registered type."""
    meta = getattr(message, "meta", None)
    if not isinstance(meta, meta_pb2.EventMeta):
        raise ValueError(f"{type(message).__name__} carries no EventMeta")
    return meta


def new_meta(producer: str, trace_id: str = "") -> meta_pb2.EventMeta:
    meta = meta_pb2.EventMeta(event_id=str(uuid.uuid4()), producer=producer, trace_id=trace_id)
    meta.occurred_at.GetCurrentTime()
    return meta


def headers_for(meta: meta_pb2.EventMeta) -> dict[str, str]:
    headers = {
        HDR_MSG_ID: meta.event_id,
        HDR_PRODUCER: meta.producer,
        HDR_OCCURRED_AT: meta.occurred_at.ToJsonString(),
    }
    if meta.trace_id:
        headers[HDR_TRACEPARENT] = f"00-{meta.trace_id}-{'0' * 15}1-01"
    return headers


def decode(subject: str, data: bytes) -> Message:
    """Parse a payload for its subject; raises ValueError for unknown or malformed events."""
    message_type = EVENT_TYPES.get(subject)
    if message_type is None:
        raise ValueError(f"unknown event subject {subject!r}")
    message = message_type()
    try:
        message.ParseFromString(data)
    except DecodeError as exc:
        raise ValueError(f"malformed {subject} payload") from exc
    return message


Handler = Callable[[str, Message], Awaitable[None]]


@dataclass(frozen=True)
class RawEvent:
    """An undecoded stream message, for consumers that read every subject (analytics)."""

    subject: str
    data: bytes
    headers: dict[str, str]


# Handles a whole fetched batch in one go; returns the indexes of poison messages (to be
# terminated). Raising NAKs the whole batch for redelivery.
BatchHandler = Callable[[list[RawEvent]], Awaitable[set[int]]]


@dataclass
class ConsumerSpec:
    durable: str
    filter_subject: str
    handler: Handler | None = None
    # Set instead of `handler` to receive undecoded batches of up to `batch` messages.
    batch_handler: BatchHandler | None = None
    batch: int = 64


class EventBus:
    """One NATS connection per process; reconnects forever, never blocks start-up."""

    def __init__(self, url: str, producer: str, stream: str = "ASCENT", replicas: int = 1) -> None:
        self.url = url
        # `nats://a:4222,nats://b:4222`: the client picks one and fails over to the others.
        self.servers = [part.strip() for part in url.split(",") if part.strip()]
        self.producer = producer
        self.stream = stream
        self.replicas = replicas
        self.nc: NatsClient | None = None
        self.connected = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._subscriptions: list[Any] = []
        self._closing = False

    # -- connection -------------------------------------------------------------------------
    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._connect_loop(), name="nats-connect"))

    async def _connect_loop(self) -> None:
        delay = 0.2
        while not self._closing:
            try:
                self.nc = await nats.connect(
                    self.servers,
                    name=self.producer,
                    connect_timeout=2,
                    reconnect_time_wait=0.5,
                    max_reconnect_attempts=-1,
                    disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnected,
                    error_cb=self._on_error,
                )
                await self.ensure_stream()
                self.connected.set()
                log.info("nats connected", extra={"url": self.url})
                return
            except Exception as exc:
                log.warning("nats not reachable yet", extra={"error": str(exc)})
                if self.nc is not None:
                    with contextlib.suppress(Exception):
                        await self.nc.close()
                    self.nc = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _on_disconnected(self) -> None:
        self.connected.clear()
        log.warning("nats disconnected")

    async def _on_reconnected(self) -> None:
        with contextlib.suppress(Exception):
            await self.ensure_stream()
        self.connected.set()
        log.info("nats reconnected")

    async def _on_error(self, exc: Exception) -> None:
        log.debug("nats error", extra={"error": str(exc)})

    async def ensure_stream(self) -> None:
        """Create or update the stream; idempotent, safe from every service at start."""
        assert self.nc is not None
        js = self.nc.jetstream()
        config = js_api.StreamConfig(
            name=self.stream,
            subjects=STREAM_SUBJECTS,
            storage=js_api.StorageType.FILE,
            duplicate_window=120.0,
            num_replicas=self.replicas,
        )
        try:
            await js.stream_info(self.stream)
            await js.update_stream(config)
        except NotFoundError:
            await js.add_stream(config)

    # -- publishing -------------------------------------------------------------------------
    async def publish_raw(self, subject: str, payload: bytes, headers: dict[str, str]) -> None:
        """Publish one stored event; raises when NATS is not reachable (the outbox retries)."""
        if self.nc is None or not self.connected.is_set():
            raise ConnectionError("NATS is not connected")
        js = self.nc.jetstream()
        await js.publish(subject, payload, timeout=5, headers=headers)

    # -- consuming --------------------------------------------------------------------------
    def consume(self, spec: ConsumerSpec) -> None:
        self._tasks.append(
            asyncio.create_task(self._consume_loop(spec), name=f"consume-{spec.durable}")
        )

    async def _consume_loop(self, spec: ConsumerSpec) -> None:
        while not self._closing:
            await self.connected.wait()
            try:
                assert self.nc is not None
                js = self.nc.jetstream()
                sub = await js.pull_subscribe(
                    spec.filter_subject,
                    durable=spec.durable,
                    stream=self.stream,
                    config=js_api.ConsumerConfig(
                        ack_policy=js_api.AckPolicy.EXPLICIT,
                        deliver_policy=js_api.DeliverPolicy.ALL,
                        ack_wait=60,
                        max_deliver=20,
                    ),
                )
                self._subscriptions.append(sub)
                while not self._closing:
                    try:
                        msgs = await sub.fetch(batch=spec.batch, timeout=1)
                    except (TimeoutError, NatsTimeoutError):
                        continue
                    if spec.batch_handler is not None:
                        await self._dispatch_batch(spec, spec.batch_handler, msgs)
                        continue
                    for msg in msgs:
                        await self._dispatch(spec, msg)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not self._closing:
                    log.warning(
                        "consumer interrupted; retrying",
                        extra={"durable": spec.durable, "error": repr(exc)},
                    )
                    await asyncio.sleep(0.5)

    async def _dispatch_batch(
        self, spec: ConsumerSpec, handler: BatchHandler, msgs: list[Msg]
    ) -> None:
        raw = [RawEvent(m.subject, m.data, dict(m.headers or {})) for m in msgs]
        try:
            poison = await handler(raw)
        except Exception:
            log.exception("batch handler failed", extra={"durable": spec.durable})
            for msg in msgs:
                with contextlib.suppress(Exception):
                    await msg.nak(delay=1)
            return
        for index, msg in enumerate(msgs):
            if index in poison:
                log.error("poison event terminated", extra={"subject": msg.subject})
                await msg.term()
            else:
                await msg.ack()

    async def _dispatch(self, spec: ConsumerSpec, msg: Msg) -> None:
        assert spec.handler is not None
        subject = msg.subject
        try:
            event = decode(subject, msg.data)
        except ValueError as exc:
            # A poison message can never succeed: terminate instead of redelivering forever.
            log.error("poison event terminated", extra={"subject": subject, "error": str(exc)})
            await msg.term()
            return
        try:
            await spec.handler(subject, event)
        except Exception:
            log.exception("event handler failed", extra={"subject": subject})
            await msg.nak(delay=1)
            return
        await msg.ack()

    async def close(self) -> None:
        """Stop consumers and drain the connection (pending publishes are flushed)."""
        self._closing = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        # Pull subscriptions would hold drain() until its timeout; consumers are durable on
        # the server, so unsubscribing loses nothing.
        for sub in self._subscriptions:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        if self.nc is not None and not self.nc.is_closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.nc.drain(), timeout=5)
