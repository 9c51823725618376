"""Tables of the leaderboard: one row per run (figures are not kept: the event leaves them out)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class RunRecord(Base):
    __tablename__ = "leaderboard_runs"
    __table_args__ = (
        Index("ix_leaderboard_runs_board_score", "session_id", "score"),
        # Boards rank per dataset: a new best is looked up among one dataset's runs.
        Index("ix_leaderboard_runs_board_dataset", "session_id", "dataset_sha256", "score"),
    )

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    # The board of a run is its notebook session.
    session_id: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(300))
    code: Mapped[str] = mapped_column(Text)
    accuracy: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[float | None] = mapped_column(Float)
    recall: Mapped[float | None] = mapped_column(Float)
    f1_score: Mapped[float | None] = mapped_column(Float)
    rmse: Mapped[float | None] = mapped_column(Float)
    mae: Mapped[float | None] = mapped_column(Float)
    r2: Mapped[float | None] = mapped_column(Float)
    model_type: Mapped[str] = mapped_column(String(200))
    dataset_info_json: Mapped[str] = mapped_column(Text)
    confusion_matrix_json: Mapped[str] = mapped_column(Text)
    pipeline_json: Mapped[str] = mapped_column(Text)
    task_type: Mapped[str] = mapped_column(String(32))
    stdout: Mapped[str] = mapped_column(Text)
    stderr: Mapped[str] = mapped_column(Text)
    error_type: Mapped[str] = mapped_column(String(200))
    error_message: Mapped[str] = mapped_column(Text)
    # JSON list of the learner's traceback lines.
    error_traceback_json: Mapped[str] = mapped_column(Text)
    has_error: Mapped[bool]
    is_improved: Mapped[bool]
    parent_run_id: Mapped[str] = mapped_column(String(100))
    dataset_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    duration_ms: Mapped[int] = mapped_column(BigInteger)
    peak_memory_kb: Mapped[int] = mapped_column(BigInteger)
    # When the run was made (from the event), not when it reached us.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Denormalised ranking key: accuracy, else r2, else NULL (unscored).
    score: Mapped[float | None] = mapped_column(Float)
    metric: Mapped[str | None] = mapped_column(String(16))
    # A challenge submission: which challenge, and which authored version graded it.
    challenge_slug: Mapped[str | None] = mapped_column(String(100), default="")
    challenge_version: Mapped[int | None] = mapped_column(Integer, default=0)
    # Why a run that reports a score is not ranked (RunOutcome.unranked_reason).
    unranked_reason: Mapped[str | None] = mapped_column(Text, default="")
    # The value of the code's last expression (RunDisplay as JSON), "" when none.
    display_json: Mapped[str | None] = mapped_column(Text, default="")
    # What execution left out of the run or could not read (Run.notices as JSON), "" if none.
    notices_json: Mapped[str | None] = mapped_column(Text, default="")
    # The app whose program made the run (Run.app_slug), "" for notebook code.
    app_slug: Mapped[str | None] = mapped_column(String(40), default="")


class ChallengeEntry(Base):
    """A learner's best graded submission on a challenge board (by public score)."""

    __tablename__ = "leaderboard_challenge_entries"

    challenge_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(100))
    public_score: Mapped[float] = mapped_column(Float)
    private_score: Mapped[float | None] = mapped_column(Float)
    metric: Mapped[str] = mapped_column(String(32))
    lower_is_better: Mapped[bool] = mapped_column(Boolean)
    # When the best submission was made: ties go to the earliest.
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submissions: Mapped[int] = mapped_column(Integer)


class ChallengeBoard(Base):
    """Instructor settings of a challenge board."""

    __tablename__ = "leaderboard_challenge_boards"

    challenge_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    private_revealed: Mapped[bool] = mapped_column(Boolean, default=False)


class ChallengeSubmission(Base):
    """Every graded submission of a challenge board (the entry above keeps only the best by
    public score): the final standing is computed over the ones a learner selected."""

    __tablename__ = "leaderboard_challenge_submissions"
    __table_args__ = (
        Index("ix_leaderboard_challenge_submissions_learner", "challenge_slug", "learner_id"),
    )

    run_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    challenge_slug: Mapped[str] = mapped_column(String(100))
    learner_id: Mapped[str] = mapped_column(String(100))
    public_score: Mapped[float] = mapped_column(Float)
    private_score: Mapped[float | None] = mapped_column(Float)
    metric: Mapped[str] = mapped_column(String(32))
    lower_is_better: Mapped[bool] = mapped_column(Boolean)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FinalSelection(Base):
    """A submission a learner selected as final on a challenge board (at most
    FINAL_SUBMISSIONS per learner and board; none selected = the default rule)."""

    __tablename__ = "leaderboard_final_selections"

    challenge_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    selected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
