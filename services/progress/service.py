"""Progress logic: catalog sync, XP and levels, badges and track unlock rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ascent.events.v1 import authoring_pb2, progress_pb2
from ascent.progress.v1 import progress_service_pb2 as pb
from ascent.types.v1 import run_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.orm import Session

from services.common import events
from services.common.curriculum import DAILY_SUBMISSIONS
from services.common.db import utcnow
from services.common.errors import AscentError
from services.common.ml.scoring import LOWER_IS_BETTER, better, relative_gain
from services.common.outbox import enqueue
from services.progress import rules, teaching
from services.progress.curriculum import Catalog, UnlockRule
from services.progress.models import (
    AcceptedProposal,
    ActiveDay,
    Badge,
    Challenge,
    ChallengeBest,
    ChallengePass,
    DeployedModel,
    DeployedVersion,
    DriftAlertSeen,
    LearnerBadge,
    LearnerProgress,
    RunFingerprint,
    RunSeen,
    Track,
    TrackUnlock,
    XpEntry,
)
from services.progress.repository import CatalogRepository, LearnerRepository

PRODUCER = "progress"
# Where learners deploy models (the app the deployment rules link to).
DEPLOY_APP = "deploy"
# Re-exported rules (kept importable from here for the servicer and older callers).
XP_PER_LEVEL = rules.XP_PER_LEVEL
level_for = rules.level_for
xp_for_run = rules.xp_for_run
describe_rule = rules.describe_rule


@dataclass
class RunAward:
    applied: bool
    xp: list[tuple[int, str]] = field(default_factory=list)
    badges: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    unlocked: list[str] = field(default_factory=list)

    @property
    def enqueued(self) -> bool:
        return bool(self.xp or self.badges or self.passed or self.unlocked)


def is_successful(run: run_pb2.Run) -> bool:
    """A run that finished without error (an empty status predates the status field)."""
    return not run.has_error and run.status in ("", "ok")


def is_unlocked(rule: UnlockRule | None, passed_by_track: Mapping[str, int]) -> bool:
    return rules.is_unlocked(rule, passed_by_track)


def _rule_of(track: Track) -> UnlockRule | None:
    if not track.unlock_after_track and not track.unlock_tag and not track.unlock_deployed_models:
        return None
    return UnlockRule(
        after_track=track.unlock_after_track,
        min_passed=track.unlock_min_passed,
        min_quality=track.unlock_min_quality if track.unlock_min_quality is not None else 1.0,
        tag=track.unlock_tag,
        min_tagged=track.unlock_min_tagged or 0,
        deployed_models=track.unlock_deployed_models or 0,
        deployed_bar=_bar(track.unlock_deployed_bar_json),
    )


def _bar(raw: str | None) -> tuple[tuple[str, float], ...]:
    return tuple(sorted((str(m), float(v)) for m, v in json.loads(raw or "{}").items()))


def _conditions(badge: Badge) -> dict[str, int]:
    also = json.loads(badge.criterion_also_json or "{}")
    return {badge.criterion_counter: badge.criterion_value, **{k: int(v) for k, v in also.items()}}


def _info(challenge: Challenge) -> rules.ChallengeInfo:
    return rules.ChallengeInfo(
        slug=challenge.slug,
        track_slug=challenge.track_slug,
        metric=challenge.metric,
        pass_threshold=challenge.pass_threshold,
        tags=tuple(json.loads(challenge.tags_json or "[]")),
        requires=tuple(json.loads(challenge.requires_json or "[]")),
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


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
        track.unlock_min_quality = spec.unlock.min_quality if spec.unlock else 1.0
        track.unlock_tag = spec.unlock.tag if spec.unlock else None
        track.unlock_min_tagged = spec.unlock.min_tagged if spec.unlock else 0
        track.unlock_deployed_models = spec.unlock.deployed_models if spec.unlock else 0
        track.unlock_deployed_bar_json = json.dumps(
            dict(spec.unlock.deployed_bar) if spec.unlock else {}
        )
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
            challenge.outcomes_json = json.dumps(list(challenge_spec.outcomes))
            challenge.hints_json = json.dumps(list(challenge_spec.hints))
            challenge.starter_code = challenge_spec.starter_code
            challenge.task_type = challenge_spec.task_type
            challenge.target = challenge_spec.target
            challenge.baseline = challenge_spec.baseline
            challenge.deployment_max_p50_ms = challenge_spec.deployment_max_p50_ms
            challenge.requires_json = json.dumps(list(challenge_spec.requires))
            challenge.daily_submissions = challenge_spec.daily_submissions
            challenge.tags_json = json.dumps(list(challenge_spec.tags))
            challenge.source = "curriculum"
            # Curriculum challenges have no versions and are never archived (rows from before
            # migration m0003 hold NULL here).
            challenge.version = 0
            challenge.archived = False
            challenge.updated_at = now
            repo.add(challenge)
    for badge_spec in catalog.badges:
        badge = repo.badge(badge_spec.slug) or Badge(slug=badge_spec.slug)
        badge.name = badge_spec.name
        badge.description = badge_spec.description
        badge.criterion_counter = badge_spec.counter
        badge.criterion_value = badge_spec.value
        badge.criterion_also_json = json.dumps(dict(badge_spec.also))
        badge.criterion_bar_json = json.dumps(dict(badge_spec.bar))
        badge.updated_at = now
        repo.add(badge)
    repo.flush()
    repo.delete_curriculum_challenges_except(
        c.slug for track in catalog.tracks for c in track.challenges
    )
    repo.delete_curriculum_tracks_except(track.slug for track in catalog.tracks)
    # Awarded badges keep their rows; only the catalog entry goes.
    repo.delete_badges_except(badge.slug for badge in catalog.badges)


class CatalogNotReady(Exception):
    """A graded run of an authored challenge arrived before its published event (the two
    come through different consumers); the run is retried once the catalog has it."""


def apply_published(session: Session, published: authoring_pb2.PublishedChallenge) -> bool:
    """An authored challenge version became current: upsert it into the catalog beside the
    curriculum's. False (nothing stored) when its track does not exist here. Events come in
    stream order through one consumer, so a replay ends on the same version."""
    repo = CatalogRepository(session)
    if repo.track(published.track_slug) is None:
        return False
    existing = repo.challenge(published.slug)
    if existing is not None and existing.source == "curriculum":
        # The curriculum owns its slugs; an authored challenge cannot replace one.
        return False
    challenge = existing or Challenge(slug=published.slug)
    challenge.track_slug = published.track_slug
    challenge.title = published.title
    challenge.summary = published.summary or published.title
    challenge.lesson_md = published.lesson_md
    challenge.metric = published.metric
    challenge.pass_threshold = published.pass_threshold
    challenge.position = published.position
    challenge.outcomes_json = "[]"
    challenge.hints_json = json.dumps(list(published.hints))
    challenge.starter_code = published.starter_code
    challenge.task_type = published.task_type
    challenge.target = published.target
    challenge.baseline = None
    challenge.requires_json = "[]"
    challenge.tags_json = "[]"
    challenge.source = "authoring"
    challenge.daily_submissions = published.daily_submissions or DAILY_SUBMISSIONS
    challenge.version = published.version
    challenge.archived = False
    challenge.updated_at = utcnow()
    repo.add(challenge)
    repo.flush()
    return True


def apply_archived(session: Session, slug: str) -> bool:
    """Hidden from tracks and pages; the row stays so earlier runs keep their challenge."""
    challenge = CatalogRepository(session).challenge(slug)
    if challenge is None or challenge.source != "authoring":
        return False
    challenge.archived = True
    challenge.updated_at = utcnow()
    return True


# -- learner view of the catalog -------------------------------------------------------------
@dataclass
class _View:
    tracks: list[Track]
    challenges: list[Challenge]
    facts: rules.LearnerFacts
    titles: dict[str, str]
    track_open: dict[str, bool]

    def infos(self) -> list[rules.ChallengeInfo]:
        return [_info(c) for c in self.challenges]

    def challenge_open(self, challenge: Challenge) -> bool:
        return rules.challenge_open(
            _info(challenge), self.track_open.get(challenge.track_slug, False), self.facts.passed
        )


def _facts(session: Session, learner_id: str) -> rules.LearnerFacts:
    if not learner_id:
        return rules.LearnerFacts(best={}, passed=frozenset())
    repo = LearnerRepository(session)
    return rules.LearnerFacts(
        best={b.challenge_slug: b.best_score for b in repo.bests(learner_id)},
        passed=frozenset(repo.passed_slugs(learner_id)),
        deployed=tuple(
            rules.DeployedScore(v.deployment_id, v.metric, v.score, v.score_source, v.run_id)
            for v in repo.deployed_versions(learner_id)
        ),
    )


def _view(session: Session, learner_id: str) -> _View:
    catalog = CatalogRepository(session)
    tracks = catalog.tracks()
    challenges = catalog.challenges()
    facts = _facts(session, learner_id)
    infos = [_info(c) for c in challenges]
    track_open = {t.slug: rules.is_unlocked(_rule_of(t), None, infos, facts) for t in tracks}
    return _View(tracks, challenges, facts, {t.slug: t.title for t in tracks}, track_open)


def _challenge_pb(challenge: Challenge, view: _View) -> pb.Challenge:
    info = _info(challenge)
    message = pb.Challenge(
        slug=challenge.slug,
        title=challenge.title,
        summary=challenge.summary,
        metric=challenge.metric,
        pass_threshold=challenge.pass_threshold,
        position=challenge.position,
        unlocked=view.challenge_open(challenge),
        passed=challenge.slug in view.facts.passed,
        requires=list(info.requires),
        lower_is_better=challenge.metric in LOWER_IS_BETTER,
        task_type=challenge.task_type or "",
        tags=list(info.tags),
        version=challenge.version or 0,
        source=challenge.source,
        daily_submissions=challenge.daily_submissions or DAILY_SUBMISSIONS,
    )
    best = view.facts.best.get(challenge.slug)
    if best is not None:
        message.best_score = best
    if not view.track_open.get(challenge.track_slug, False):
        message.locked_reason = f"Unlock the {view.titles.get(challenge.track_slug)} track first."
    elif not message.unlocked:
        missing = [s for s in info.requires if s not in view.facts.passed]
        names = {c.slug: c.title for c in view.challenges}
        message.locked_reason = "Pass " + ", ".join(names.get(s, s) for s in missing) + " first."
    return message


def list_tracks(session: Session, learner_id: str) -> list[pb.Track]:
    view = _view(session, learner_id)
    infos = view.infos()
    result = []
    for track in view.tracks:
        rule = _rule_of(track)
        own = [c for c in view.challenges if c.track_slug == track.slug]
        own.sort(key=lambda c: (c.position, c.slug))
        result.append(
            pb.Track(
                slug=track.slug,
                title=track.title,
                level=track.level,
                description=track.description,
                position=track.position,
                unlocked=view.track_open[track.slug],
                unlock_rule=rules.describe_rule(rule, view.titles),
                challenges=[_challenge_pb(c, view) for c in own],
                passed_count=sum(c.slug in view.facts.passed for c in own),
                unlock_progress=rules.unlock_progress(rule, view.titles, infos, view.facts),
            )
        )
        if rule is not None and rule.deployed_models:
            message = result[-1]
            message.deployed_needed = rule.deployed_models
            message.deployed_meeting_bar = rules.deployed_meeting_bar(
                dict(rule.deployed_bar), view.facts.deployed
            )
            message.unlock_app = DEPLOY_APP
    return result


def get_challenge(session: Session, slug: str, learner_id: str) -> pb.GetChallengeResponse:
    if not slug:
        raise AscentError("invalid_argument", "slug is required.")
    challenge = CatalogRepository(session).challenge(slug)
    if challenge is None or challenge.archived:
        raise AscentError("not_found", "Challenge not found.")
    view = _view(session, learner_id)
    best = LearnerRepository(session).best(learner_id, slug) if learner_id else None
    detail = pb.ChallengeDetail(
        challenge=_challenge_pb(challenge, view),
        track_slug=challenge.track_slug,
        track_title=view.titles.get(challenge.track_slug, ""),
        lesson_md=challenge.lesson_md,
        outcomes=json.loads(challenge.outcomes_json or "[]"),
        hints=json.loads(challenge.hints_json or "[]"),
        starter_code=challenge.starter_code or "",
        task_type=challenge.task_type or "",
        target=challenge.target or "",
        attempts=best.attempts if best is not None else 0,
    )
    if challenge.baseline is not None:
        detail.baseline = challenge.baseline
    return pb.GetChallengeResponse(challenge=detail)


def record_challenge_pass(
    session: Session,
    learner_id: str,
    challenge_slug: str,
    run_id: str,
    score: float,
    at: datetime | None = None,
) -> bool:
    """Record that a learner passed a challenge; False when it was already passed."""
    challenge = CatalogRepository(session).challenge(challenge_slug)
    if challenge is None:
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
            passed_at=at or utcnow(),
        )
    )
    # The best score drives quality-based unlock rules; a pass is at least this good.
    best = repo.best(learner_id, challenge_slug)
    if best is None:
        repo.add_best(
            ChallengeBest(
                learner_id=learner_id,
                challenge_slug=challenge_slug,
                best_score=score,
                best_run_id=run_id,
                attempts=1,
                improvements=0,
                best_at=at or utcnow(),
            )
        )
    return True


# -- runs, XP, badges, passes, unlocks ----------------------------------------------------------
class _Awarder:
    """Stages ledger rows and their events for one source event, at the event's own time, so
    a replay of the stream writes exactly the same rows."""

    def __init__(
        self, session: Session, learner: LearnerProgress, source_event_id: str, at: datetime
    ) -> None:
        self.session = session
        self.repo = LearnerRepository(session)
        self.learner = learner
        self.source = source_event_id
        self.at = at
        self.award = RunAward(applied=True)

    def xp(self, amount: int, reason: str) -> None:
        if amount <= 0:
            return
        self.learner.xp += amount
        self.repo.add_xp(
            XpEntry(
                learner_id=self.learner.learner_id,
                amount=amount,
                reason=reason[:200],
                source_event_id=self.source,
                created_at=self.at,
            )
        )
        enqueue(
            self.session,
            PRODUCER,
            events.XP_AWARDED,
            progress_pb2.XpAwarded(
                learner_id=self.learner.learner_id,
                amount=amount,
                total=self.learner.xp,
                reason=reason,
                source_event_id=self.source,
            ),
        )
        self.award.xp.append((amount, reason))

    def counters(self) -> dict[str, int]:
        learner = self.learner
        learner_id = learner.learner_id
        view = _view(self.session, learner_id)
        completed = sum(
            1
            for track in view.tracks
            if (own := [c.slug for c in view.challenges if c.track_slug == track.slug])
            and all(slug in view.facts.passed for slug in own)
        )
        _, best_streak = rules.streaks(self.repo.active_days(learner_id))
        return {
            "runs": learner.runs,
            "successful_runs": learner.successful_runs,
            "improved_runs": learner.improved_runs,
            "accepted_improvements": self.repo.accepted_proposals(learner_id),
            "models_deployed": self.repo.deployed_models(learner_id),
            "drift_alerts": self.repo.drift_alerted_deployments(learner_id),
            "challenges_passed": len(view.facts.passed),
            "personal_bests": learner.personal_bests or 0,
            "tracks_completed": completed,
            "streak_days": best_streak,
            "beat_baseline_by_percent": learner.best_baseline_gain_pct or 0,
            "leaderboard_top": learner.best_rank or 0,
        }

    def badges(self) -> None:
        owned = self.repo.badge_slugs(self.learner.learner_id)
        counters = self.counters()
        deployed: tuple[rules.DeployedScore, ...] | None = None
        for badge in CatalogRepository(self.session).badges():
            if badge.slug in owned:
                continue
            conditions = _conditions(badge)
            if "deployed_meeting_bar" in conditions:
                # Each badge states its own bar, so this counter is per badge.
                if deployed is None:
                    deployed = _facts(self.session, self.learner.learner_id).deployed
                bar = dict(_bar(badge.criterion_bar_json))
                counters["deployed_meeting_bar"] = rules.deployed_meeting_bar(bar, deployed)
            if not rules.criterion_holds(conditions, counters):
                continue
            self.repo.add_badge(
                LearnerBadge(
                    learner_id=self.learner.learner_id,
                    badge_slug=badge.slug,
                    awarded_at=self.at,
                    source_event_id=self.source,
                )
            )
            enqueue(
                self.session,
                PRODUCER,
                events.BADGE_AWARDED,
                progress_pb2.BadgeAwarded(
                    learner_id=self.learner.learner_id,
                    badge_slug=badge.slug,
                    badge_name=badge.name,
                    source_event_id=self.source,
                ),
            )
            self.award.badges.append(badge.slug)

    def unlocks(self) -> None:
        learner_id = self.learner.learner_id
        view = _view(self.session, learner_id)
        done = self.repo.unlocked_tracks(learner_id)
        for track in view.tracks:
            if _rule_of(track) is None or track.slug in done or not view.track_open[track.slug]:
                continue
            self.session.add(
                TrackUnlock(
                    learner_id=learner_id,
                    track_slug=track.slug,
                    unlocked_at=self.at,
                    source_event_id=self.source,
                )
            )
            enqueue(
                self.session,
                PRODUCER,
                events.TRACK_UNLOCKED,
                progress_pb2.TrackUnlocked(
                    learner_id=learner_id,
                    track_slug=track.slug,
                    track_title=track.title,
                    source_event_id=self.source,
                ),
            )
            self.award.unlocked.append(track.slug)
        self.session.flush()


def _learner(repo: LearnerRepository, learner_id: str, at: datetime) -> LearnerProgress:
    learner = repo.learner(learner_id)
    if learner is None:
        learner = LearnerProgress(
            learner_id=learner_id,
            xp=0,
            runs=0,
            successful_runs=0,
            improved_runs=0,
            xp_day="",
            xp_day_runs=0,
            personal_bests=0,
            best_baseline_gain_pct=0,
            best_rank=0,
        )
        learner.updated_at = at
        repo.add_learner(learner)
    return learner


def _grade(session: Session, awarder: _Awarder, run: run_pb2.Run) -> None:
    """A graded challenge submission: bests, personal-best XP, passes and their events."""
    grade = run.grade
    if grade.status != "graded" or not grade.HasField("public_score"):
        return
    challenge = CatalogRepository(session).challenge(run.challenge_slug or grade.challenge_slug)
    if challenge is None:
        if run.challenge_version:
            raise CatalogNotReady(run.challenge_slug)
        return
    repo = awarder.repo
    learner = awarder.learner
    score = grade.public_score
    best = repo.best(learner.learner_id, challenge.slug)
    if best is None:
        best = ChallengeBest(
            learner_id=learner.learner_id,
            challenge_slug=challenge.slug,
            best_score=score,
            best_run_id=run.id,
            attempts=1,
            improvements=0,
            best_at=awarder.at,
        )
        repo.add_best(best)
    else:
        best.attempts += 1
        if better(challenge.metric, score, best.best_score):
            best.best_score = score
            best.best_run_id = run.id
            best.best_at = awarder.at
            best.improvements += 1
            learner.personal_bests = (learner.personal_bests or 0) + 1
            awarder.xp(
                rules.xp_for_improvement(best.improvements), f"New personal best: {challenge.title}"
            )
    if challenge.baseline is not None:
        gain = int(relative_gain(challenge.metric, score, challenge.baseline) * 100)
        learner.best_baseline_gain_pct = max(learner.best_baseline_gain_pct or 0, gain)
    # The grader's verdict: passing is judged on all the hidden rows (the public score alone
    # missed passes the grader gave, and gave some it refused), against the threshold of the
    # version the run was graded on, so a later version or a replay changes nothing. A
    # challenge judged on a deployment passes only through one (`record_deployment`): the
    # submission's grade is feedback on the way there.
    if not challenge.deployment_max_p50_ms and grade.passed:
        _pass(session, awarder, challenge, run.id, score)
    session.flush()


def _pass(
    session: Session, awarder: _Awarder, challenge: Challenge, run_id: str, score: float
) -> None:
    """The first pass of a challenge: its row, XP and event (nothing when already passed)."""
    repo = awarder.repo
    learner = awarder.learner
    if repo.has_pass(learner.learner_id, challenge.slug):
        return
    repo.add_pass(
        ChallengePass(
            learner_id=learner.learner_id,
            challenge_slug=challenge.slug,
            run_id=run_id,
            score=score,
            passed_at=awarder.at,
        )
    )
    track = CatalogRepository(session).track(challenge.track_slug)
    awarder.xp(rules.xp_for_pass(track.level if track else ""), f"Passed: {challenge.title}")
    session.flush()
    view = _view(session, learner.learner_id)
    own = [c.slug for c in view.challenges if c.track_slug == challenge.track_slug]
    completed = bool(own) and all(slug in view.facts.passed for slug in own)
    enqueue(
        session,
        PRODUCER,
        events.CHALLENGE_PASSED,
        progress_pb2.ChallengePassed(
            learner_id=learner.learner_id,
            challenge_slug=challenge.slug,
            track_slug=challenge.track_slug,
            run_id=run_id,
            metric=challenge.metric,
            score=score,
            source_event_id=awarder.source,
            challenge_title=challenge.title,
            track_completed=completed,
            track_title=track.title if track else "",
        ),
    )
    awarder.award.passed.append(challenge.slug)
    session.flush()


def record_run(
    session: Session, run: run_pb2.Run, source_event_id: str, at: datetime | None = None
) -> RunAward:
    """Pay XP for a completed run, grade its challenge submission, award badges and unlock
    tracks whose rule now holds — once per run. `at` is when the fact happened (the event's
    time), so replaying the stream reproduces every row exactly."""
    if not run.id or not run.owner_id:
        return RunAward(applied=False)
    if run.app_slug:
        # An app's program (services/apps) is the app's work, not the learner's code: it
        # earns no run XP or badges (the learner's own runs after it do).
        return RunAward(applied=False)
    repo = LearnerRepository(session)
    if repo.run_seen(run.id):
        return RunAward(applied=False)
    if at is None:
        at = run.created_at.ToDatetime(tzinfo=UTC) if run.HasField("created_at") else utcnow()
    at = _aware(at)
    successful = is_successful(run)
    improved = successful and run.is_improved
    repo.add_run(
        RunSeen(
            run_id=run.id,
            learner_id=run.owner_id,
            successful=successful,
            is_improved=improved,
            recorded_at=at,
        )
    )
    learner = _learner(repo, run.owner_id, at)
    learner.runs += 1
    learner.successful_runs += int(successful)
    learner.improved_runs += int(improved)
    learner.updated_at = at
    day = at.date().isoformat()
    if learner.xp_day != day:
        learner.xp_day, learner.xp_day_runs = day, 0
    if not repo.has_active_day(learner.learner_id, day):
        session.add(ActiveDay(learner_id=learner.learner_id, day=day))
        session.flush()

    awarder = _Awarder(session, learner, source_event_id, at)
    fingerprint = rules.run_fingerprint(
        run.code, run.dataset_sha256, run.challenge_slug, successful
    )
    if not repo.has_fingerprint(learner.learner_id, fingerprint):
        repo.add_fingerprint(
            RunFingerprint(
                learner_id=learner.learner_id,
                fingerprint=fingerprint,
                first_run_id=run.id,
                first_at=at,
            )
        )
        # Only new runs use up the day's full-pay runs; a repeat neither pays nor counts.
        learner.xp_day_runs = (learner.xp_day_runs or 0) + 1
        for amount, reason in rules.xp_for_run(successful, improved, learner.xp_day_runs):
            awarder.xp(amount, reason)
    if run.challenge_slug:
        # Failed challenge runs feed the "learners often ..." hints (issue 17).
        teaching.record_pitfalls(session, run, at)
    # A practice run earns run XP like any other but is never a submission (no grade).
    if run.challenge_slug and successful and not run.practice:
        _grade(session, awarder, run)
    awarder.badges()
    awarder.unlocks()
    return awarder.award


def record_rank(
    session: Session,
    learner_id: str,
    challenge_slug: str,
    rank: int,
    source_event_id: str,
    at: datetime,
    public_score: float,
) -> RunAward:
    """A leaderboard placement: keeps the learner's best rank reached with a passing score
    and awards rank badges. Judged on the event's own score against the challenge's
    threshold, so the order of this consumer and the runs consumer does not matter."""
    if not learner_id or rank <= 0:
        return RunAward(applied=False)
    challenge = CatalogRepository(session).challenge(challenge_slug)
    if challenge is None or not rules.podium_counts(
        challenge.metric, public_score, challenge.pass_threshold
    ):
        return RunAward(applied=False)
    repo = LearnerRepository(session)
    learner = _learner(repo, learner_id, _aware(at))
    if not learner.best_rank or rank < learner.best_rank:
        learner.best_rank = rank
    awarder = _Awarder(session, learner, source_event_id, _aware(at))
    awarder.badges()
    return awarder.award


def record_proposal_feedback(
    session: Session,
    learner_id: str,
    proposal_id: str,
    verdict: str,
    source_event_id: str,
    at: datetime,
) -> RunAward:
    """A learner's verdict on a coach proposal: an acceptance counts once per proposal (a
    later change of mind keeps the badge it may have earned); ratings alone count nothing."""
    if not learner_id or not proposal_id or verdict != "accepted":
        return RunAward(applied=False)
    repo = LearnerRepository(session)
    if repo.accepted_proposal(proposal_id) is not None:
        return RunAward(applied=False)
    learner = _learner(repo, learner_id, _aware(at))
    repo.add_accepted_proposal(
        AcceptedProposal(
            proposal_id=proposal_id,
            learner_id=learner_id,
            accepted_at=_aware(at),
            source_event_id=source_event_id,
        )
    )
    awarder = _Awarder(session, learner, source_event_id, _aware(at))
    awarder.badges()
    return awarder.award


# -- Deployments (issue 16) --
@dataclass(frozen=True)
class DeployedFacts:
    """What serving.deployment.created.v1 says of the deployed version's quality (fields
    added in issue 16; an event from before them has none, so its version meets no bar)."""

    metric: str = ""
    score: float | None = None
    score_source: str = ""
    passed: bool = False
    challenge_slug: str = ""
    run_id: str = ""
    p50_ms: float = 0.0


def record_deployment(
    session: Session,
    learner_id: str,
    deployment_id: str,
    version: int,
    source_event_id: str,
    at: datetime,
    facts: DeployedFacts | None = None,
) -> RunAward:
    """A deployed version, once per (deployment, version): the deployment counts once towards
    `models_deployed` (its later versions are the same model in the learner's eyes); every
    version's score is kept for the rules on deployments meeting a bar (a later, better
    version makes the model count); a platform-judged version of a challenge judged on a
    deployment passes it. Badges and track unlocks follow."""
    if not learner_id or not deployment_id or version < 1:
        return RunAward(applied=False)
    facts = facts or DeployedFacts()
    repo = LearnerRepository(session)
    if repo.deployed_version(deployment_id, version) is not None:
        return RunAward(applied=False)
    at = _aware(at)
    learner = _learner(repo, learner_id, at)
    repo.add_deployed_version(
        DeployedVersion(
            deployment_id=deployment_id,
            version=version,
            learner_id=learner_id,
            run_id=facts.run_id[:100],
            challenge_slug=facts.challenge_slug[:100],
            metric=facts.metric[:32],
            score=facts.score if facts.metric else None,
            score_source=facts.score_source[:16],
            passed=facts.passed,
            p50_ms=facts.p50_ms,
            deployed_at=at,
            source_event_id=source_event_id,
        )
    )
    if version == 1 and repo.deployed_model(deployment_id) is None:
        repo.add_deployed_model(
            DeployedModel(
                deployment_id=deployment_id,
                learner_id=learner_id,
                deployed_at=at,
                source_event_id=source_event_id,
            )
        )
    awarder = _Awarder(session, learner, source_event_id, at)
    challenge = (
        CatalogRepository(session).challenge(facts.challenge_slug) if facts.challenge_slug else None
    )
    if (
        challenge is not None
        and challenge.deployment_max_p50_ms
        and rules.deployment_passes(
            challenge.deployment_max_p50_ms,
            rules.DeployedScore(
                deployment_id, facts.metric, facts.score, facts.score_source, facts.run_id
            ),
            challenge.metric,
            facts.passed,
            facts.p50_ms,
        )
        and facts.score is not None
    ):
        _pass(session, awarder, challenge, facts.run_id, facts.score)
    awarder.badges()
    awarder.unlocks()
    return awarder.award


def record_drift_alert(
    session: Session,
    learner_id: str,
    deployment_id: str,
    version: int,
    feature: str,
    source_event_id: str,
    at: datetime,
) -> RunAward:
    """A drift alert on one of the learner's deployments (once per version and feature): the
    `drift_alerts` counter counts deployments that raised one."""
    if not learner_id or not deployment_id or not feature:
        return RunAward(applied=False)
    repo = LearnerRepository(session)
    if repo.drift_alert(deployment_id, version, feature[:200]) is not None:
        return RunAward(applied=False)
    at = _aware(at)
    learner = _learner(repo, learner_id, at)
    repo.add_drift_alert(
        DriftAlertSeen(
            deployment_id=deployment_id,
            version=version,
            feature=feature[:200],
            learner_id=learner_id,
            seen_at=at,
            source_event_id=source_event_id,
        )
    )
    awarder = _Awarder(session, learner, source_event_id, at)
    awarder.badges()
    return awarder.award


def get_progress(session: Session, learner_id: str, history_limit: int) -> pb.GetProgressResponse:
    if not learner_id:
        raise AscentError("invalid_argument", "learner_id is required.")
    repo = LearnerRepository(session)
    floor, nxt = rules.level_bounds(0)
    response = pb.GetProgressResponse(
        learner_id=learner_id, level=level_for(0), level_floor_xp=floor, next_level_xp=nxt
    )
    learner = repo.learner(learner_id)
    if learner is None:
        return response
    response.xp = learner.xp
    response.level = level_for(learner.xp)
    response.level_floor_xp, response.next_level_xp = rules.level_bounds(learner.xp)
    response.runs = learner.runs
    response.streak_days, response.best_streak_days = rules.streaks(repo.active_days(learner_id))
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
    catalog = CatalogRepository(session)
    passes = {p.challenge_slug: p for p in repo.passes(learner_id)}
    response.challenges_passed = len(passes)
    for best in repo.bests(learner_id):
        challenge = catalog.challenge(best.challenge_slug)
        result = pb.ChallengeResult(
            challenge_slug=best.challenge_slug,
            title=challenge.title if challenge else best.challenge_slug,
            metric=challenge.metric if challenge else "",
            best_score=best.best_score,
            attempts=best.attempts,
            passed=best.challenge_slug in passes,
        )
        if best.challenge_slug in passes:
            result.passed_at.CopyFrom(_timestamp(passes[best.challenge_slug].passed_at))
        response.results.append(result)
    return response
