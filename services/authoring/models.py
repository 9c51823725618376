"""Tables of the authoring service: a challenge and its versions (fields, dataset, report)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class AuthoredChallenge(Base):
    __tablename__ = "authoring_challenges"

    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(100), index=True)
    # draft (never published) | published | archived
    status: Mapped[str] = mapped_column(String(16))
    # The version learners see and submissions are graded on; 0 = never published.
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    latest_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChallengeVersion(Base):
    """One version's fields. A published (or retired) version never changes again, so runs and
    boards that point at it stay gradable and comparable."""

    __tablename__ = "authoring_versions"

    slug: Mapped[str] = mapped_column(
        ForeignKey("authoring_challenges.slug", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    # draft | published | retired (a newer version was published)
    status: Mapped[str] = mapped_column(String(16))
    # Bumped by every edit of a draft: a validation only counts for the revision it ran on.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    lesson_md: Mapped[str] = mapped_column(Text, default="")
    target: Mapped[str] = mapped_column(String(200), default="")
    task_type: Mapped[str] = mapped_column(String(32), default="")
    task_type_overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    metric: Mapped[str] = mapped_column(String(32), default="")
    pass_threshold: Mapped[float | None] = mapped_column(Float)
    test_fraction: Mapped[float] = mapped_column(Float, default=0.3)
    # Graded submissions per learner in 24 hours (issue 17); NULL = the default (10).
    daily_submissions: Mapped[int | None] = mapped_column(Integer)
    starter_code: Mapped[str] = mapped_column(Text, default="")
    hints_json: Mapped[str] = mapped_column(Text, default="[]")
    solution: Mapped[str] = mapped_column(Text, default="")
    track_slug: Mapped[str] = mapped_column(String(100), default="")
    position: Mapped[int] = mapped_column(Integer, default=100)
    # The uploaded CSV (UTF-8, commas), kept with the version so it can always be re-split.
    dataset_csv: Mapped[bytes | None] = mapped_column(LargeBinary)
    dataset_sha256: Mapped[str] = mapped_column(String(64), default="")
    dataset_filename: Mapped[str] = mapped_column(String(200), default="")
    # Seed of the split: fixed per version, so the split is reproducible from the CSV.
    split_seed: Mapped[int] = mapped_column(Integer, default=0)
    profile_json: Mapped[str] = mapped_column(Text, default="")
    validation_json: Mapped[str] = mapped_column(Text, default="")
    # The revision the stored validation ran on.
    validated_revision: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChallengeEditor(Base):
    """Someone the owner shared a challenge with: they may edit, validate, publish, archive
    and export it like the owner."""

    __tablename__ = "authoring_editors"

    slug: Mapped[str] = mapped_column(
        ForeignKey("authoring_challenges.slug", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
