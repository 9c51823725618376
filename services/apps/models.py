"""Tables of the apps service: analyses and their sections, and what learners did with the
recommendations (the evidence that orders them for similar datasets)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Analysis(Base):
    __tablename__ = "apps_analyses"
    __table_args__ = (
        Index("ix_apps_analyses_latest", "owner_id", "app_slug", "session_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    app_slug: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[str] = mapped_column(String(100))
    session_id: Mapped[str] = mapped_column(String(100))
    dataset_sha256: Mapped[str] = mapped_column(String(64))
    dataset_name: Mapped[str] = mapped_column(String(300), default="")
    target: Mapped[str] = mapped_column(String(300), default="")
    options_json: Mapped[str] = mapped_column(Text, default="{}")
    code: Mapped[str] = mapped_column(Text)
    run_id: Mapped[str] = mapped_column(String(64))
    # running | completed | failed | cancelled
    status: Mapped[str] = mapped_column(String(16))
    error_message: Mapped[str] = mapped_column(Text, default="")
    # The explorer's meta-feature neighbourhood ("" for other apps or before it is known).
    neighbourhood: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class AnalysisSection(Base):
    __tablename__ = "apps_sections"

    analysis_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("apps_analyses.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    data_json: Mapped[str] = mapped_column(Text)


class RecommendationOutcome(Base):
    """Per (meta-feature neighbourhood, recommendation kind): how often it was shown, applied,
    dismissed, and how often the session's next run after applying it improved."""

    __tablename__ = "apps_recommendation_outcomes"

    neighbourhood: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    shown: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[int] = mapped_column(Integer, default=0)
    dismissed: Mapped[int] = mapped_column(Integer, default=0)
    improved: Mapped[int] = mapped_column(Integer, default=0)
    not_improved: Mapped[int] = mapped_column(Integer, default=0)


class AppliedSuggestion(Base):
    """A recommendation a learner applied (waiting for the session's next run to tell whether
    it helped; `baseline`: the session's last ranking score before it, None if none) or
    dismissed (never waits). One row per analysis and recommendation: deciding twice counts
    once."""

    __tablename__ = "apps_applied_suggestions"

    analysis_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    suggestion_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    # "applied" | "dismissed"
    verdict: Mapped[str] = mapped_column(String(16))
    neighbourhood: Mapped[str] = mapped_column(String(100))
    session_id: Mapped[str] = mapped_column(String(100), index=True)
    owner_id: Mapped[str] = mapped_column(String(100))
    app_slug: Mapped[str] = mapped_column(String(40))
    baseline: Mapped[float | None] = mapped_column(Float, nullable=True)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # "" while waiting; then the run that decided and whether it improved.
    evaluated_run_id: Mapped[str] = mapped_column(String(64), default="")
    improved: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SessionScore(Base):
    """The last ranking score of a session's notebook runs (from learning.run.completed.v1)."""

    __tablename__ = "apps_session_scores"

    session_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    run_id: Mapped[str] = mapped_column(String(64))


class ViewTime(Base):
    """Seconds learners spent on each view of an app, per neighbourhood."""

    __tablename__ = "apps_view_times"

    app_slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    neighbourhood: Mapped[str] = mapped_column(String(100), primary_key=True)
    view: Mapped[str] = mapped_column(String(40), primary_key=True)
    opens: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class TransformOutcome(Base):
    """Per (meta-feature neighbourhood, transformation kind): how often the Feature
    Engineering Playground measured it (cross-validated, against the default pipeline on the
    same folds), how often it helped, and the sum of the score changes."""

    __tablename__ = "apps_transform_outcomes"

    neighbourhood: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    trials: Mapped[int] = mapped_column(Integer, default=0)
    helped: Mapped[int] = mapped_column(Integer, default=0)
    delta_sum: Mapped[float] = mapped_column(Float, default=0.0)


class TrainingOutcome(Base):
    """Per (neighbourhood, model, hyperparameters): the Model Training Sandbox's validation
    scores; the best configurations of a neighbourhood are its recommended starting points."""

    __tablename__ = "apps_training_outcomes"

    neighbourhood: Mapped[str] = mapped_column(String(100), primary_key=True)
    model: Mapped[str] = mapped_column(String(40), primary_key=True)
    params_json: Mapped[str] = mapped_column(String(500), primary_key=True)
    metric: Mapped[str] = mapped_column(String(20), default="")
    trials: Mapped[int] = mapped_column(Integer, default=0)
    validation_sum: Mapped[float] = mapped_column(Float, default=0.0)
    best_validation: Mapped[float] = mapped_column(Float, default=0.0)


# -- Model Explainability Suite (issue 15) -------------------------------------------------
class ExplanationRating(Base):
    """A learner's rating of one explanation of an explain analysis (useful or not), at the
    analysis's level. One row per (analysis, explanation): rating again replaces it. The
    counts per (level, explanation) order that level's explanations (`explanations.py`)."""

    __tablename__ = "apps_explanation_ratings"
    __table_args__ = (Index("ix_apps_explanation_ratings_level", "level", "explanation"),)

    analysis_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("apps_analyses.id", ondelete="CASCADE"), primary_key=True
    )
    explanation: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(100))
    # "beginner" | "intermediate" | "advanced"
    level: Mapped[str] = mapped_column(String(16))
    useful: Mapped[bool] = mapped_column(Boolean)
    rated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# -- Time-Series Forecaster (issue 15) -------------------------------------------------------
class ForecastOutcome(Base):
    """Per (series neighbourhood: length, seasonal and trend strength buckets; model): how
    often the forecaster backtested the model on such a series, how often it won (lowest mean
    MAE), and the sum of its sMAPE (scale-free, so series of any unit add up)."""

    __tablename__ = "apps_forecast_outcomes"

    neighbourhood: Mapped[str] = mapped_column(String(100), primary_key=True)
    model: Mapped[str] = mapped_column(String(40), primary_key=True)
    trials: Mapped[int] = mapped_column(Integer, default=0)
    wins: Mapped[int] = mapped_column(Integer, default=0)
    smape_sum: Mapped[float] = mapped_column(Float, default=0.0)
