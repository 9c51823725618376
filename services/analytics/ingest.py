"""Turning raw stream messages into the event log, facts and rollups, one batch per unit of work.

Idempotency: the event log's primary key is the event id, and only events not yet logged
reach the facts and rollups, so a redelivery or a whole-stream replay adds nothing. Facts
are keyed by their natural id; rollups are sums keyed by the occurred_at bucket, so late
and out-of-order events land where they belong and the result does not depend on arrival.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ascent.analytics.v1 import analytics_service_pb2 as pb
from ascent.events.v1 import apps_pb2, coach_pb2, gateway_pb2, learning_pb2, progress_pb2
from google.protobuf.message import DecodeError, Message
from sqlalchemy.orm import Session

from services.analytics.repository import AnalyticsRepository
from services.common import events
from services.common.db import utcnow
from services.common.events import RawEvent
from services.common.ml.scoring import ranking_score
from services.common.templates import STARTER_TEMPLATE

# Runs on the built-in example data (no upload, no challenge) share one dataset key.
BUILTIN_DATASET = "builtin"
_STARTER = STARTER_TEMPLATE.strip()


@dataclass(frozen=True)
class Incoming:
    """A decoded event: `message` is None for subjects without a registered type."""

    subject: str
    event_id: str
    producer: str
    occurred_at: datetime
    message: Message | None


def _timestamp(value: Any) -> datetime | None:
    if value.seconds or value.nanos:
        moment: datetime = value.ToDatetime(tzinfo=UTC)
        return moment
    return None


def _header_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def decode(raw: RawEvent) -> Incoming | None:
    """The event, or None when it is poison (undecodable, or without any id)."""
    message_type = events.EVENT_TYPES.get(raw.subject)
    message: Message | None = None
    try:
        if message_type is not None:
            message = message_type()
            message.ParseFromString(raw.data)
            meta = events.meta_of(message)
        else:
            # A subject added after this code was written: field 1 is EventMeta by contract.
            envelope = pb.AnyEvent()
            envelope.ParseFromString(raw.data)
            meta = envelope.meta
    except DecodeError:
        return None
    event_id = meta.event_id or raw.headers.get(events.HDR_MSG_ID, "")
    if not event_id:
        return None
    occurred = (
        _timestamp(meta.occurred_at)
        or _header_time(raw.headers.get(events.HDR_OCCURRED_AT, ""))
        or utcnow()
    )
    producer = meta.producer or raw.headers.get(events.HDR_PRODUCER, "")
    return Incoming(raw.subject, event_id, producer, occurred, message)


def day_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def minute_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def run_score(run: Any) -> tuple[float | None, bool]:
    """(score, lower_is_better): the public score of a graded submission, else the
    leaderboard's ranking score of a notebook run (accuracy, else r2)."""
    grade = run.grade
    if run.challenge_slug and grade.status == "graded" and grade.HasField("public_score"):
        return grade.public_score, grade.lower_is_better
    scored = ranking_score(run.outcome)
    return (scored.value if scored else None), False


def ingest(session: Session, batch: Sequence[Incoming]) -> int:
    """Record a batch; returns how many events were new."""
    repo = AnalyticsRepository(session)
    unique: dict[str, Incoming] = {}
    for item in batch:
        unique.setdefault(item.event_id, item)
    logged = repo.logged_event_ids(list(unique))
    fresh = [item for item in unique.values() if item.event_id not in logged]
    if not fresh:
        return 0
    now = utcnow()
    repo.log_events(
        [
            {
                "event_id": item.event_id,
                "subject": item.subject,
                "producer": item.producer,
                "occurred_at": item.occurred_at,
                "received_at": now,
            }
            for item in fresh
        ]
    )
    repo.add_subject_counts(Counter(item.subject for item in fresh))
    repo.add_minute_counts(
        Counter((minute_of(item.occurred_at), item.subject, item.producer) for item in fresh)
    )
    by_subject: dict[str, list[Incoming]] = {}
    for item in fresh:
        by_subject.setdefault(item.subject, []).append(item)
    _runs(repo, by_subject.get(events.RUN_COMPLETED, []))
    _proposals(repo, by_subject.get(events.IMPROVEMENT_PROPOSED, []))
    _feedback(repo, by_subject.get(events.PROPOSAL_RATED, []))
    _advice(repo, by_subject.get(events.ADVICE_RATED, []))
    _cohorts(repo, by_subject.get(events.COHORT_CREATED, []))
    _members(repo, by_subject.get(events.COHORT_JOINED, []))
    _assignments(repo, by_subject.get(events.ASSIGNMENT_CREATED, []))
    _app_uses(
        repo,
        [
            *by_subject.get(events.APPS_ANALYSIS_STARTED, []),
            *by_subject.get(events.APPS_ANALYSIS_COMPLETED, []),
            *by_subject.get(events.APPS_SUGGESTION_APPLIED, []),
        ],
    )
    _track_events(
        repo,
        [*by_subject.get(events.TRACK_UNLOCKED, []), *by_subject.get(events.CHALLENGE_PASSED, [])],
    )
    _badges(repo, by_subject.get(events.BADGE_AWARDED, []))
    _help(
        repo, [*by_subject.get(events.HINT_REVEALED, []), *by_subject.get(events.ANSWER_TAKEN, [])]
    )
    _xp(repo, by_subject.get(events.XP_AWARDED, []))
    return len(fresh)


def _messages(items: Iterable[Incoming], kind: type[Message]) -> list[tuple[Incoming, Any]]:
    return [(item, item.message) for item in items if isinstance(item.message, kind)]


def _runs(repo: AnalyticsRepository, items: list[Incoming]) -> None:
    rows: dict[str, dict[str, Any]] = {}
    for item, message in _messages(items, learning_pb2.RunCompleted):
        run = message.run
        if not run.id or run.id in rows:
            continue
        score, lower = run_score(run)
        graded = bool(run.challenge_slug) and run.grade.status == "graded"
        rows[run.id] = {
            "run_id": run.id,
            "event_id": item.event_id,
            "learner_id": run.owner_id,
            "challenge_slug": run.challenge_slug,
            "occurred_at": item.occurred_at,
            "day": day_of(item.occurred_at),
            "status": run.status,
            "error_type": (run.error.type or run.status) if run.has_error else "",
            "graded": graded,
            "passed": graded and run.grade.passed,
            "score": score,
            "lower_is_better": lower,
            "is_improved": run.is_improved,
            "parent_run_id": run.parent_run_id,
            "dataset_key": ("" if run.challenge_slug else (run.dataset_sha256 or BUILTIN_DATASET)),
            # A cut excerpt (a long program) is never the starter, which is short.
            "is_starter": run.code.strip() == _STARTER,
        }
    # The same run under another event id (a producer re-sent it) counts once.
    for run_id in repo.known_run_ids(list(rows)):
        rows.pop(run_id)
    if not rows:
        return
    repo.add_runs(list(rows.values()))
    deltas: dict[tuple[str, str, str], Counter[str]] = {}
    for row in rows.values():
        key = (row["day"], row["learner_id"], row["challenge_slug"])
        delta = deltas.setdefault(key, Counter())
        delta["runs"] += 1
        delta["graded"] += int(row["graded"])
        delta["passing"] += int(row["passed"])
        delta["errors"] += int(bool(row["error_type"]))
    repo.add_daily(deltas)


def _proposals(repo: AnalyticsRepository, items: list[Incoming]) -> None:
    rows = {
        message.proposal_id: {
            "proposal_id": message.proposal_id,
            "run_id": message.run_id,
            "learner_id": message.owner_id,
            "engine": message.engine,
            "occurred_at": item.occurred_at,
            "day": day_of(item.occurred_at),
            "predicted_score": (
                message.predicted_score if message.HasField("predicted_score") else None
            ),
            "source": message.source[:20],
            "explored": message.explored,
        }
        for item, message in _messages(items, coach_pb2.ImprovementProposed)
        if message.proposal_id
    }
    repo.add_new(repo.proposals_table, rows)


def _feedback(repo: AnalyticsRepository, items: list[Incoming]) -> None:
    rows = [
        {
            "event_id": item.event_id,
            "proposal_id": message.proposal_id,
            "learner_id": message.owner_id,
            "rating": message.rating,
            "verdict": message.verdict,
            "occurred_at": item.occurred_at,
            "day": day_of(item.occurred_at),
        }
        for item, message in _messages(items, coach_pb2.ProposalRated)
    ]
    repo.insert_rows(repo.feedback_table, rows)


def _advice(repo: AnalyticsRepository, items: list[Incoming]) -> None:
    rows = [
        {
            "event_id": item.event_id,
            "proposal_id": message.proposal_id,
            "learner_id": message.owner_id,
            "helpful": message.helpful,
            "occurred_at": item.occurred_at,
            "day": day_of(item.occurred_at),
        }
        for item, message in _messages(items, gateway_pb2.AdviceRated)
    ]
    repo.insert_rows(repo.advice_table, rows)


def _cohorts(repo: AnalyticsRepository, items: list[Incoming]) -> None:
    rows = {
        message.cohort_id: {
            "cohort_id": message.cohort_id,
            "name": message.name,
            "instructor_id": message.instructor_id,
            "created_at": item.occurred_at,
        }
        for item, message in _messages(items, gateway_pb2.CohortCreated)
        if message.cohort_id
    }
    repo.add_new(repo.cohorts_table, rows)


def _members(repo: AnalyticsRepository, items: list[Incoming]) -> None:
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for item, message in _messages(items, gateway_pb2.CohortJoined):
        key = (message.cohort_id, message.learner_id)
        if message.cohort_id and message.learner_id and key not in rows:
            rows[key] = {
                "cohort_id": message.cohort_id,
                "learner_id": message.learner_id,
                "joined_at": item.occurred_at,
            }
    repo.add_members(rows)


def _assignments(repo: AnalyticsRepository, items: list[Incoming]) -> None:
    for item, message in sorted(
        _messages(items, gateway_pb2.AssignmentCreated), key=lambda pair: pair[0].occurred_at
    ):
        if message.cohort_id and message.challenge_slug:
            repo.upsert_assignment(
                message.cohort_id,
                message.challenge_slug,
                _timestamp(message.due_at),
                item.occurred_at,
            )


def _app_action(message: Message | None) -> tuple[str, str, str] | None:
    """(app, learner, action) of an apps event that is a use or an outcome."""
    if isinstance(message, apps_pb2.AnalysisStarted):
        return message.app_slug, message.owner_id, "started"
    if isinstance(message, apps_pb2.AnalysisCompleted):
        return message.app_slug, message.owner_id, message.status
    if isinstance(message, apps_pb2.SuggestionApplied):
        return message.app_slug, message.owner_id, message.verdict
    return None


def _app_uses(repo: AnalyticsRepository, items: list[Incoming]) -> None:
    rows = []
    for item in items:
        found = _app_action(item.message)
        if found is None or not found[0]:
            continue
        app_slug, learner_id, action = found
        rows.append(
            {
                "event_id": item.event_id,
                "app_slug": app_slug[:40],
                "learner_id": learner_id,
                "action": action[:16],
                "occurred_at": item.occurred_at,
                "day": day_of(item.occurred_at),
            }
        )
    repo.insert_rows(repo.app_uses_table, rows)


def _track_events(repo: AnalyticsRepository, items: list[Incoming]) -> None:
    rows = []
    for item in items:
        message = item.message
        if isinstance(message, progress_pb2.TrackUnlocked):
            kind, challenge, completed = "unlocked", "", False
        elif isinstance(message, progress_pb2.ChallengePassed):
            kind, challenge, completed = "passed", message.challenge_slug, message.track_completed
        else:
            continue
        if not message.learner_id or not message.track_slug:
            continue
        rows.append(
            {
                "event_id": item.event_id,
                "learner_id": message.learner_id,
                "track_slug": message.track_slug[:100],
                "track_title": message.track_title[:200],
                "kind": kind,
                "challenge_slug": challenge[:100],
                "completed": completed,
                "occurred_at": item.occurred_at,
                "day": day_of(item.occurred_at),
            }
        )
    repo.insert_rows(repo.track_events_table, rows)


def _badges(repo: AnalyticsRepository, items: list[Incoming]) -> None:
    rows = [
        {
            "event_id": item.event_id,
            "learner_id": message.learner_id,
            "badge_slug": message.badge_slug[:100],
            "badge_name": message.badge_name[:200],
            "occurred_at": item.occurred_at,
            "day": day_of(item.occurred_at),
        }
        for item, message in _messages(items, progress_pb2.BadgeAwarded)
        if message.learner_id and message.badge_slug
    ]
    repo.insert_rows(repo.badges_table, rows)


def _help(repo: AnalyticsRepository, items: list[Incoming]) -> None:
    rows = []
    for item in items:
        message = item.message
        if isinstance(message, gateway_pb2.HintRevealed):
            kind, hints = "hint", max(0, message.hints_shown)
        elif isinstance(message, gateway_pb2.AnswerTaken):
            kind, hints = "answer", 0
        else:
            continue
        if not message.learner_id or not message.challenge_slug:
            continue
        rows.append(
            {
                "event_id": item.event_id,
                "learner_id": message.learner_id,
                "challenge_slug": message.challenge_slug[:100],
                "kind": kind,
                "hints": hints,
                "occurred_at": item.occurred_at,
                "day": day_of(item.occurred_at),
            }
        )
    repo.insert_rows(repo.help_table, rows)


def _xp(repo: AnalyticsRepository, items: list[Incoming]) -> None:
    rows = [
        {
            "event_id": item.event_id,
            "learner_id": message.learner_id,
            "amount": message.amount,
            "occurred_at": item.occurred_at,
            "day": day_of(item.occurred_at),
        }
        for item, message in _messages(items, progress_pb2.XpAwarded)
        if message.learner_id
    ]
    repo.insert_rows(repo.xp_table, rows)
