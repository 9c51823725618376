"""Tables of the analytics service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class EventLog(Base):
    __tablename__ = "analytics_events"

    # The primary key is the second line of idempotency, after the consumer inbox: an
    # event id is logged and counted once whichever consumer delivered it.
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), index=True)
    producer: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SubjectCount(Base):
    __tablename__ = "analytics_subject_counts"

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


# -- m0002: facts and rolling aggregates ---------------------------------------------------------
# Facts are keyed by their natural id (run id, proposal id, event id) so a replay inserts
# nothing twice; rollups are sums keyed by the event's occurred_at bucket, so the order in
# which events arrive (late, out of order) does not change them.


class MinuteCount(Base):
    """Events per minute (of occurred_at), subject and producer: the platform throughput."""

    __tablename__ = "analytics_minute_counts"

    minute: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    producer: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


class RunFact(Base):
    """One row per run (learning.run.completed.v1)."""

    __tablename__ = "analytics_runs"

    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64))
    learner_id: Mapped[str] = mapped_column(String(64), index=True)
    challenge_slug: Mapped[str] = mapped_column(String(100), index=True, default="")
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # YYYY-MM-DD (UTC) of occurred_at: compared as text, the same on SQLite and PostgreSQL.
    day: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(32), default="")
    error_type: Mapped[str] = mapped_column(String(200), default="")
    graded: Mapped[bool] = mapped_column(Boolean, default=False)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Public score of a graded submission, else the run's ranking score (accuracy or r2).
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    lower_is_better: Mapped[bool] = mapped_column(Boolean, default=False)
    is_improved: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_run_id: Mapped[str] = mapped_column(String(64), index=True, default="")
    # m0060 (the platform's learning, issue 20 §4): the dataset the run read ("" for a
    # challenge; "builtin" for the built-in example data), and whether its code was the
    # starter unchanged (the static default an AI improvement is measured against).
    dataset_key: Mapped[str] = mapped_column(String(64), index=True, default="")
    is_starter: Mapped[bool] = mapped_column(Boolean, default=False)


class DailyRollup(Base):
    """Runs per day (of occurred_at), learner and challenge ('' for notebook runs)."""

    __tablename__ = "analytics_daily"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    challenge_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    runs: Mapped[int] = mapped_column(BigInteger, default=0)
    graded: Mapped[int] = mapped_column(BigInteger, default=0)
    passing: Mapped[int] = mapped_column(BigInteger, default=0)
    errors: Mapped[int] = mapped_column(BigInteger, default=0)


class ProposalFact(Base):
    """coach.improvement.proposed.v1."""

    __tablename__ = "analytics_proposals"

    proposal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64), default="")
    learner_id: Mapped[str] = mapped_column(String(64), index=True)
    engine: Mapped[str] = mapped_column(String(32), default="")
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[str] = mapped_column(String(10), index=True)
    # m0060: what the knowledge base expected of the pipeline, where it came from, whether
    # the coach explored (coach.improvement.proposed.v1).
    predicted_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str] = mapped_column(String(20), default="")
    explored: Mapped[bool] = mapped_column(Boolean, default=False)


class FeedbackFact(Base):
    """Every coach.proposal.rated.v1; the latest by occurred_at per proposal counts."""

    __tablename__ = "analytics_feedback"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    proposal_id: Mapped[str] = mapped_column(String(64), index=True)
    learner_id: Mapped[str] = mapped_column(String(64), index=True)
    rating: Mapped[int] = mapped_column(Integer, default=0)
    verdict: Mapped[str] = mapped_column(String(16), default="")
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[str] = mapped_column(String(10))


class AdviceFact(Base):
    """Every gateway.advice.rated.v1; the latest per (learner, proposal) counts."""

    __tablename__ = "analytics_advice"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    proposal_id: Mapped[str] = mapped_column(String(64), index=True)
    learner_id: Mapped[str] = mapped_column(String(64), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean, default=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[str] = mapped_column(String(10))


class CohortFact(Base):
    __tablename__ = "analytics_cohorts"

    cohort_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    instructor_id: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CohortMember(Base):
    __tablename__ = "analytics_cohort_members"

    cohort_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AssignmentFact(Base):
    """The latest (by occurred_at) assignment of a challenge to a cohort."""

    __tablename__ = "analytics_assignments"

    cohort_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    challenge_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AppUseFact(Base):
    """Every apps event that is a use or an outcome: an analysis started or ended (its
    status), a recommendation applied or dismissed (its verdict)."""

    __tablename__ = "analytics_app_uses"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    app_slug: Mapped[str] = mapped_column(String(40), index=True)
    learner_id: Mapped[str] = mapped_column(String(64), index=True)
    # started | completed | failed | cancelled | applied | dismissed
    action: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[str] = mapped_column(String(10), index=True)


# -- m0061: analytics for instructors (issue 17) ------------------------------------------------
# One row per event (event id key): the event log already lets only new events through, and
# the dashboard counts distinct learners, so a producer's re-send changes nothing.


class TrackEventFact(Base):
    """A track unlocked (progress.track.unlocked.v1), or a challenge of it passed
    (progress.challenge.passed.v1; `completed` when that pass completed the track)."""

    __tablename__ = "analytics_track_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(64), index=True)
    track_slug: Mapped[str] = mapped_column(String(100), index=True)
    track_title: Mapped[str] = mapped_column(String(200), default="")
    # unlocked | passed
    kind: Mapped[str] = mapped_column(String(16))
    challenge_slug: Mapped[str] = mapped_column(String(100), default="")
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[str] = mapped_column(String(10), index=True)


class BadgeFact(Base):
    """progress.badge.awarded.v1."""

    __tablename__ = "analytics_badges"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(64), index=True)
    badge_slug: Mapped[str] = mapped_column(String(100), index=True)
    badge_name: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[str] = mapped_column(String(10), index=True)


class HelpFact(Base):
    """A hint revealed (gateway.hint.revealed.v1, `hints` = how many are shown now) or the
    coach's full answer taken in a challenge's notebook (gateway.answer.taken.v1)."""

    __tablename__ = "analytics_help"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(64), index=True)
    challenge_slug: Mapped[str] = mapped_column(String(100), index=True)
    # hint | answer
    kind: Mapped[str] = mapped_column(String(16))
    hints: Mapped[int] = mapped_column(Integer, default=0)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[str] = mapped_column(String(10), index=True)


class XpFact(Base):
    """progress.xp.awarded.v1."""

    __tablename__ = "analytics_xp"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(64), index=True)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[str] = mapped_column(String(10), index=True)
