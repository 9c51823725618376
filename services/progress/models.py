"""Tables of the progress service: the curriculum catalog and each learner's progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Track(Base):
    __tablename__ = "progress_tracks"

    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    # Unlock rule as data: open once `min_passed` challenges of `unlock_after_track` are
    # passed; no after-track means always open.
    unlock_after_track: Mapped[str | None] = mapped_column(String(100))
    unlock_min_passed: Mapped[int] = mapped_column(Integer, default=0)
    # Share of the target quality a challenge must reach to count (1.0 = passed).
    unlock_min_quality: Mapped[float | None] = mapped_column(Float, default=1.0)
    # And/or: `unlock_min_tagged` passed challenges carrying `unlock_tag` (any track).
    unlock_tag: Mapped[str | None] = mapped_column(String(100))
    unlock_min_tagged: Mapped[int | None] = mapped_column(Integer, default=0)
    # And/or (issue 16): `unlock_deployed_models` deployments meeting the bar (metric ->
    # threshold, JSON) with a platform score (migration m0047).
    unlock_deployed_models: Mapped[int | None] = mapped_column(Integer, default=0)
    unlock_deployed_bar_json: Mapped[str | None] = mapped_column(Text, default="{}")
    # "curriculum" rows mirror the files and are replaced on load; other sources (authored
    # challenges) are left alone by the loader.
    source: Mapped[str] = mapped_column(String(32), default="curriculum")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Challenge(Base):
    __tablename__ = "progress_challenges"

    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    track_slug: Mapped[str] = mapped_column(ForeignKey("progress_tracks.slug"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    lesson_md: Mapped[str] = mapped_column(Text)
    metric: Mapped[str] = mapped_column(String(32))
    pass_threshold: Mapped[float] = mapped_column(Float)
    position: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(32), default="curriculum")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Learner-facing content (the reference solution is never stored here).
    outcomes_json: Mapped[str | None] = mapped_column(Text, default="[]")
    hints_json: Mapped[str | None] = mapped_column(Text, default="[]")
    starter_code: Mapped[str | None] = mapped_column(Text, default="")
    task_type: Mapped[str | None] = mapped_column(String(32), default="")
    target: Mapped[str | None] = mapped_column(String(100), default="")
    baseline: Mapped[float | None] = mapped_column(Float)
    # Judged on a deployment (issue 16, migration m0047): > 0 = the pass comes from a
    # deployment of the challenge's run judged by the platform, p50 at most this.
    deployment_max_p50_ms: Mapped[float | None] = mapped_column(Float, default=0.0)
    requires_json: Mapped[str | None] = mapped_column(Text, default="[]")
    tags_json: Mapped[str | None] = mapped_column(Text, default="[]")
    # Authored challenges: the current published version (0 for curriculum ones), and whether
    # the instructor archived it (kept, hidden: old runs still resolve their challenge).
    version: Mapped[int | None] = mapped_column(Integer, default=0)
    archived: Mapped[bool | None] = mapped_column(Boolean, default=False)
    # Graded submissions per learner in 24 hours (issue 17); NULL = the curriculum default.
    daily_submissions: Mapped[int | None] = mapped_column(Integer)


class Badge(Base):
    __tablename__ = "progress_badges"

    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # Criterion as data: the learner counter (see LearnerProgress) and the value to reach.
    criterion_counter: Mapped[str] = mapped_column(String(50))
    criterion_value: Mapped[int] = mapped_column(Integer)
    # Further conditions of a several-key criterion ({counter: value}) and the bar of
    # `deployed_meeting_bar` ({metric: threshold}), JSON (migration m0047).
    criterion_also_json: Mapped[str | None] = mapped_column(Text, default="{}")
    criterion_bar_json: Mapped[str | None] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LearnerProgress(Base):
    __tablename__ = "progress_learners"

    learner_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    xp: Mapped[int] = mapped_column(BigInteger, default=0)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    successful_runs: Mapped[int] = mapped_column(Integer, default=0)
    improved_runs: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Diminishing returns: runs counted on `xp_day` (UTC date of the run) so far.
    xp_day: Mapped[str | None] = mapped_column(String(10), default="")
    xp_day_runs: Mapped[int | None] = mapped_column(Integer, default=0)
    personal_bests: Mapped[int | None] = mapped_column(Integer, default=0)
    # Largest relative gain over a challenge baseline, in whole percent.
    best_baseline_gain_pct: Mapped[int | None] = mapped_column(Integer, default=0)
    # Best (lowest) rank reached on any challenge board; 0 = never ranked.
    best_rank: Mapped[int | None] = mapped_column(Integer, default=0)


class RunSeen(Base):
    """Runs already counted, so a run re-published under a new event id is not paid twice."""

    __tablename__ = "progress_runs"

    run_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(100), index=True)
    successful: Mapped[bool]
    is_improved: Mapped[bool]
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class XpEntry(Base):
    __tablename__ = "progress_xp_ledger"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    learner_id: Mapped[str] = mapped_column(String(100), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200))
    source_event_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LearnerBadge(Base):
    __tablename__ = "progress_learner_badges"

    # The composite key is what makes a badge award happen exactly once.
    learner_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    badge_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    awarded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source_event_id: Mapped[str] = mapped_column(String(64))


class ChallengePass(Base):
    """A learner passed a challenge (recorded once grading exists); drives unlock rules."""

    __tablename__ = "progress_challenge_passes"

    learner_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    # No foreign key: a pass outlives edits of the catalog.
    challenge_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Float)
    passed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChallengeBest(Base):
    """A learner's best graded submission per challenge (public score)."""

    __tablename__ = "progress_challenge_bests"

    learner_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    challenge_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    best_score: Mapped[float] = mapped_column(Float)
    best_run_id: Mapped[str] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer)
    improvements: Mapped[int] = mapped_column(Integer)
    best_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TrackUnlock(Base):
    """When a track's rule became true for a learner (the track-unlocked event, once)."""

    __tablename__ = "progress_track_unlocks"

    learner_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    track_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    unlocked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source_event_id: Mapped[str] = mapped_column(String(64))


class ActiveDay(Base):
    """UTC days with at least one finished run: streaks are computed from these."""

    __tablename__ = "progress_active_days"

    learner_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)


class AcceptedProposal(Base):
    """Coach proposals a learner accepted (once each, whatever feedback follows): the
    `accepted_improvements` badge counter counts these."""

    __tablename__ = "progress_accepted_proposals"

    proposal_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(100), index=True)
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source_event_id: Mapped[str] = mapped_column(String(64))


# -- Deployments (issue 16) --
class DeployedModel(Base):
    """Deployments a learner made (serving.deployment.created.v1 of version 1, once each):
    the `models_deployed` badge counter counts these."""

    __tablename__ = "progress_deployed_models"

    deployment_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(100), index=True)
    deployed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source_event_id: Mapped[str] = mapped_column(String(64))


class DeployedVersion(Base):
    """Every deployed version a learner made, with its score as the serving event carried it
    (issue 16, migration m0046): deployment rules count deployments with a version whose
    platform score meets their bar (`rules.meets_bar`), so a later, better version counts."""

    __tablename__ = "progress_deployed_versions"

    deployment_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(100), index=True)
    run_id: Mapped[str] = mapped_column(String(100), default="")
    challenge_slug: Mapped[str] = mapped_column(String(100), default="")
    metric: Mapped[str] = mapped_column(String(32), default="")
    score: Mapped[float | None] = mapped_column(Float)
    # "platform" (judged on the challenge's hidden rows), "reported" (printed by the run), "".
    score_source: Mapped[str] = mapped_column(String(16), default="")
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    p50_ms: Mapped[float] = mapped_column(Float, default=0.0)
    deployed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source_event_id: Mapped[str] = mapped_column(String(64))


class DriftAlertSeen(Base):
    """Drift alerts on a learner's deployments (serving.drift.detected.v1, once per version
    and feature; migration m0046): the `drift_alerts` badge counter counts deployments."""

    __tablename__ = "progress_drift_alerts"

    deployment_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    feature: Mapped[str] = mapped_column(String(200), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(100), index=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source_event_id: Mapped[str] = mapped_column(String(64))


class RunFingerprint(Base):
    """Code and data a learner already ran (see `rules.run_fingerprint`): run XP is paid for
    the first run of each, so pressing Run on unchanged code earns nothing more."""

    __tablename__ = "progress_run_fingerprints"

    learner_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_run_id: Mapped[str] = mapped_column(String(100))
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# -- Learning by teaching (issue 17) --
class Explanation(Base):
    """A learner's explanation of how they passed a challenge: one per learner and challenge
    (posting again replaces the text and keeps the votes)."""

    __tablename__ = "progress_explanations"
    __table_args__ = (UniqueConstraint("challenge_slug", "author_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    challenge_slug: Mapped[str] = mapped_column(String(100), index=True)
    author_id: Mapped[str] = mapped_column(String(100))
    body_md: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(Text, default="")
    votes: Mapped[int] = mapped_column(Integer, default=0)
    validated: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExplanationVote(Base):
    """One "helpful" per learner and explanation (the key makes the toggle exact)."""

    __tablename__ = "progress_explanation_votes"

    explanation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    voter_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PitfallSighting(Base):
    """A kind of failure seen in a learner's challenge runs. Keyed per learner, so the page
    counts distinct learners and shows a kind only once enough of them hit it."""

    __tablename__ = "progress_pitfall_sightings"

    challenge_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(120), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
