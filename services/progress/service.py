"""Progress logic: catalog sync, XP and levels, badges and track unlock rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ascent.events.v1 import progress_pb2
from ascent.progress.v1 import progress_service_pb2 as pb
from ascent.types.v1 import run_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.orm import Session

from services.common import events
from services.common.db import utcnow
from services.common.errors import AscentError
from services.common.outbox import enqueue
from services.progress.curriculum import Catalog, UnlockRule
from services.progress.models import (
    Badge,
    Challenge,
    ChallengePass,
    LearnerBadge,
    LearnerProgress,
    RunSeen,
    Track,
    XpEntry,
)
from services.progress.repository import CatalogRepository, LearnerRepository

PRODUCER = "progress"
XP_PER_LEVEL = 100
XP_RUN_OK = 10
XP_RUN_FAILED = 2
XP_IMPROVED_BONUS = 15


@dataclass
class RunAward:
    applied: bool
    xp: list[tuple[int, str]] = field(default_factory=list)
    badges: list[str] = field(default_factory=list)

    @property
    def enqueued(self) -> bool:
        return bool(self.xp or self.badges)


def level_for(xp: int) -> int:
    return 1 + xp // XP_PER_LEVEL


def is_successful(run: run_pb2.Run) -> bool:
    """A run that finished without error (an empty status predates the status field)."""
    return not run.has_error and run.status in ("", "ok")


def xp_for_run(successful: bool, is_improved: bool) -> list[tuple[int, str]]:
    """XP ledger entries (amount, reason) one run earns."""
    if not successful:
        return [(XP_RUN_FAILED, "Run attempted")]
    awards = [(XP_RUN_OK, "Run finished")]
    # The bonus rewards acting on the coach's advice, so only when the improved run works.
    if is_improved:
        awards.append((XP_IMPROVED_BONUS, "AI-improved run"))
    return awards


def is_unlocked(rule: UnlockRule | None, passed_by_track: Mapping[str, int]) -> bool:
    if rule is None:
        return True
    return passed_by_track.get(rule.after_track, 0) >= rule.min_passed


def describe_rule(rule: UnlockRule | None, titles: Mapping[str, str]) -> str:
    if rule is None:
        return ""
    noun = "challenge" if rule.min_passed == 1 else "challenges"
    track = titles.get(rule.after_track, rule.after_track)
    return f"Pass {rule.min_passed} {noun} in {track}"


def _rule_of(track: Track) -> UnlockRule | None:
    if not track.unlock_after_track:
        return None
    return UnlockRule(after_track=track.unlock_after_track, min_passed=track.unlock_min_passed)


def _timestamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    # SQLite hands back naive datetimes; everything we store is UTC.
    stamp.FromDatetime(value if value.tzinfo is not None else value.replace(tzinfo=UTC))
    return stamp


# -- catalog ---------------------------------------------------------------------------------
def sync_catalog(session: Session, catalog: Catalog) -> None:
    """Make the catalog tables mirror the curriculum files (insert, update, remove)."""
    repo = CatalogRepository(session)
    now = utcnow()
    for spec in catalog.tracks:
        track = repo.track(spec.slug) or Track(slug=spec.slug)
        track.title = spec.title
        track.level = spec.level
        track.description = spec.description
        track.position = spec.position
        track.unlock_after_track = spec.unlock.after_track if spec.unlock else None
        track.unlock_min_passed = spec.unlock.min_passed if spec.unlock else 0
        track.source = "curriculum"
        track.updated_at = now
        repo.add(track)
    repo.flush()
    for spec in catalog.tracks:
        for challenge_spec in spec.challenges:
            challenge = repo.challenge(challenge_spec.slug) or Challenge(slug=challenge_spec.slug)
            challenge.track_slug = spec.slug
            challenge.title = challenge_spec.title
            challenge.summary = challenge_spec.summary
            challenge.lesson_md = challenge_spec.lesson
            challenge.metric = challenge_spec.metric
            challenge.pass_threshold = challenge_spec.pass_threshold
            challenge.position = challenge_spec.position
            challenge.source = "curriculum"
            challenge.updated_at = now
            repo.add(challenge)
    for badge_spec in catalog.badges:
        badge = repo.badge(badge_spec.slug) or Badge(slug=badge_spec.slug)
        badge.name = badge_spec.name
        badge.description = badge_spec.description
        badge.criterion_counter = badge_spec.counter
        badge.criterion_value = badge_spec.value
        badge.updated_at = now
        repo.add(badge)
    repo.flush()
    repo.delete_curriculum_challenges_except(
        c.slug for track in catalog.tracks for c in track.challenges
    )
    repo.delete_curriculum_tracks_except(track.slug for track in catalog.tracks)
    # Awarded badges keep their rows; only the catalog entry goes.
    repo.delete_badges_except(badge.slug for badge in catalog.badges)


def list_tracks(session: Session, learner_id: str) -> list[pb.Track]:
    catalog = CatalogRepository(session)
    tracks = catalog.tracks()
    passes = LearnerRepository(session).passes_by_track(learner_id) if learner_id else {}
    titles = {track.slug: track.title for track in tracks}
    by_track: dict[str, list[pb.Challenge]] = {}
    for challenge in catalog.challenges():
        by_track.setdefault(challenge.track_slug, []).append(
            pb.Challenge(
                slug=challenge.slug,
                title=challenge.title,
                summary=challenge.summary,
                metric=challenge.metric,
                pass_threshold=challenge.pass_threshold,
                position=challenge.position,
            )
        )
    result = []
    for track in tracks:
        rule = _rule_of(track)
        result.append(
            pb.Track(
                slug=track.slug,
                title=track.title,
                level=track.level,
                description=track.description,
                position=track.position,
                unlocked=is_unlocked(rule, passes),
                unlock_rule=describe_rule(rule, titles),
                challenges=by_track.get(track.slug, []),
            )
        )
    return result


def record_challenge_pass(
    session: Session, learner_id: str, challenge_slug: str, run_id: str, score: float
) -> bool:
    """Record that a learner passed a challenge; False when it was already passed."""
    if CatalogRepository(session).challenge(challenge_slug) is None:
        raise AscentError("not_found", "Challenge not found.")
    repo = LearnerRepository(session)
    if repo.has_pass(learner_id, challenge_slug):
        return False
    repo.add_pass(
        ChallengePass(
            learner_id=learner_id,
            challenge_slug=challenge_slug,
            run_id=run_id,
            score=score,
            passed_at=utcnow(),
        )
    )
    return True


# -- runs, XP and badges ----------------------------------------------------------------------
def _counter(learner: LearnerProgress, name: str) -> int:
    counters = {
        "runs": learner.runs,
        "successful_runs": learner.successful_runs,
        "improved_runs": learner.improved_runs,
    }
    return counters.get(name, 0)


def record_run(session: Session, run: run_pb2.Run, source_event_id: str) -> RunAward:
    """Pay XP for a completed run and award badges whose criterion now holds, once per run."""
    if not run.id or not run.owner_id:
        return RunAward(applied=False)
    repo = LearnerRepository(session)
    if repo.run_seen(run.id):
        return RunAward(applied=False)
    now = utcnow()
    successful = is_successful(run)
    improved = successful and run.is_improved
    repo.add_run(
        RunSeen(
            run_id=run.id,
            learner_id=run.owner_id,
            successful=successful,
            is_improved=improved,
            recorded_at=now,
        )
    )
    learner = repo.learner(run.owner_id)
    if learner is None:
        learner = LearnerProgress(
            learner_id=run.owner_id, xp=0, runs=0, successful_runs=0, improved_runs=0
        )
        learner.updated_at = now
        repo.add_learner(learner)
    learner.runs += 1
    learner.successful_runs += int(successful)
    learner.improved_runs += int(improved)
    learner.updated_at = now

    award = RunAward(applied=True)
    for amount, reason in xp_for_run(successful, improved):
        learner.xp += amount
        repo.add_xp(
            XpEntry(
                learner_id=learner.learner_id,
                amount=amount,
                reason=reason,
                source_event_id=source_event_id,
                created_at=now,
            )
        )
        enqueue(
            session,
            PRODUCER,
            events.XP_AWARDED,
            progress_pb2.XpAwarded(
                learner_id=learner.learner_id,
                amount=amount,
                total=learner.xp,
                reason=reason,
                source_event_id=source_event_id,
            ),
        )
        award.xp.append((amount, reason))

    owned = repo.badge_slugs(learner.learner_id)
    for badge in CatalogRepository(session).badges():
        if badge.slug in owned:
            continue
        if _counter(learner, badge.criterion_counter) < badge.criterion_value:
            continue
        repo.add_badge(
            LearnerBadge(
                learner_id=learner.learner_id,
                badge_slug=badge.slug,
                awarded_at=now,
                source_event_id=source_event_id,
            )
        )
        enqueue(
            session,
            PRODUCER,
            events.BADGE_AWARDED,
            progress_pb2.BadgeAwarded(
                learner_id=learner.learner_id,
                badge_slug=badge.slug,
                badge_name=badge.name,
                source_event_id=source_event_id,
            ),
        )
        award.badges.append(badge.slug)
    return award


def get_progress(session: Session, learner_id: str, history_limit: int) -> pb.GetProgressResponse:
    if not learner_id:
        raise AscentError("invalid_argument", "learner_id is required.")
    repo = LearnerRepository(session)
    response = pb.GetProgressResponse(learner_id=learner_id, level=level_for(0))
    learner = repo.learner(learner_id)
    if learner is None:
        return response
    response.xp = learner.xp
    response.level = level_for(learner.xp)
    response.runs = learner.runs
    for award, badge in repo.badges_with_details(learner_id):
        response.badges.append(
            pb.Badge(
                slug=award.badge_slug,
                name=badge.name if badge is not None else award.badge_slug,
                description=badge.description if badge is not None else "",
                awarded_at=_timestamp(award.awarded_at),
            )
        )
    for entry in repo.history(learner_id, history_limit):
        response.history.append(
            pb.XpEntry(amount=entry.amount, reason=entry.reason, at=_timestamp(entry.created_at))
        )
    return response
