"""Tables of the progress service: the curriculum catalog and each learner's progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Integer, String, Text
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


class Badge(Base):
    __tablename__ = "progress_badges"

    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # Criterion as data: the learner counter (see LearnerProgress) and the value to reach.
    criterion_counter: Mapped[str] = mapped_column(String(50))
    criterion_value: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LearnerProgress(Base):
    __tablename__ = "progress_learners"

    learner_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    xp: Mapped[int] = mapped_column(BigInteger, default=0)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    successful_runs: Mapped[int] = mapped_column(Integer, default=0)
    improved_runs: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
