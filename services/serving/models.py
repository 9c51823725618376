"""Tables of the serving service: deployments, their model versions (the ONNX bytes and the
training columns) and the bounded prediction log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Deployment(Base):
    __tablename__ = "serving_deployments"
    __table_args__ = (Index("ix_serving_deployments_owner", "owner_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    # SHA-256 of the API key (a 256-bit random secret: a slow password hash adds nothing).
    key_sha256: Mapped[str] = mapped_column(String(64))
    key_prefix: Mapped[str] = mapped_column(String(16))
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A/B: [{"version", "share"}] of 2-3 versions ("" = the current version answers all);
    # read into the model cache with the models, never on the predict path (migration m0004).
    split_json: Mapped[str] = mapped_column(Text, default="")
    split_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ModelVersion(Base):
    __tablename__ = "serving_versions"
    __table_args__ = (UniqueConstraint("deployment_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deployment_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("serving_deployments.id", ondelete="CASCADE")
    )
    version: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[str] = mapped_column(String(100), default="")
    run_name: Mapped[str] = mapped_column(String(300), default="")
    app_slug: Mapped[str] = mapped_column(String(40), default="")
    challenge_slug: Mapped[str] = mapped_column(String(100), default="")
    dataset_sha256: Mapped[str] = mapped_column(String(64), default="")
    model_type: Mapped[str] = mapped_column(String(200))
    model_variable: Mapped[str] = mapped_column(String(100), default="")
    input_mode: Mapped[str] = mapped_column(String(16))
    # [{"name", "type"}] in input order: the schema every request is checked against.
    features_json: Mapped[str] = mapped_column(Text)
    classes_json: Mapped[str] = mapped_column(Text, default="[]")
    metrics_json: Mapped[str] = mapped_column(Text, default="{}")
    agreement: Mapped[float] = mapped_column(Float, default=0.0)
    checked_rows: Mapped[int] = mapped_column(Integer, default=0)
    onnx: Mapped[bytes] = mapped_column(LargeBinary)
    onnx_sha256: Mapped[str] = mapped_column(String(64))
    benchmark_json: Mapped[str] = mapped_column(Text, default="{}")
    # {feature: summary} computed in the sandbox at deploy time (services/serving/drift.py)
    reference_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set with the one serving.model.served.v1 event of this version.
    first_served_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Prediction(Base):
    """One predict request (ok or refused). Bounded per deployment and by age (the flush
    prunes), and each keeps at most `log_rows` input rows: enough for the monitor app's
    drift tests and dashboards, never the whole traffic."""

    __tablename__ = "serving_predictions"
    __table_args__ = (
        Index("ix_serving_predictions_deployment", "deployment_id", "created_at"),
        Index("ix_serving_predictions_created", "created_at"),
        Index("ix_serving_predictions_request", "request_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deployment_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # "ok" or the error code the caller got (invalid_argument, rate_limited, …)
    status: Mapped[str] = mapped_column(String(32))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    # JSON: {"columns": [...], "values": [[...], ...]} of the first log_rows rows (ok only)
    features_json: Mapped[str] = mapped_column(Text, default="")
    # JSON array of the predictions of those rows
    predictions_json: Mapped[str] = mapped_column(Text, default="")
    # The request's id (32 hex): row i's prediction id is "<request_id>-<i>" (feedback).
    # None on requests logged before m0003 and on refused ones.
    request_id: Mapped[str | None] = mapped_column(String(32), nullable=True, default=None)


class DriftAlert(Base):
    """The first time a feature of a version crossed its drift threshold: one row (and one
    serving.drift.detected.v1 event) per version and feature."""

    __tablename__ = "serving_drift_alerts"
    __table_args__ = (UniqueConstraint("deployment_id", "version", "feature"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deployment_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("serving_deployments.id", ondelete="CASCADE")
    )
    version: Mapped[int] = mapped_column(Integer)
    feature: Mapped[str] = mapped_column(String(200))
    test: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Feedback(Base):
    """A true label sent back for one logged prediction (`POST /api/models/{id}/feedback`),
    with the prediction it scores: `error` is 0/1 (wrong class) for a classifier and the
    squared error for a regressor, so a rolling score is a mean over a window. Bounded per
    deployment and by age, like the prediction log."""

    __tablename__ = "serving_feedback"
    __table_args__ = (
        UniqueConstraint("deployment_id", "prediction_id"),
        Index("ix_serving_feedback_version", "deployment_id", "version", "predicted_at"),
        Index("ix_serving_feedback_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deployment_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("serving_deployments.id", ondelete="CASCADE")
    )
    version: Mapped[int] = mapped_column(Integer)
    prediction_id: Mapped[str] = mapped_column(String(48))
    # JSON scalars: what the model answered, and the truth
    predicted: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(Text)
    error: Mapped[float] = mapped_column(Float)
    predicted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConceptAlert(Base):
    """The first time a version's rolling score fell beyond its threshold: one row (and one
    serving.concept_drift.detected.v1 event) per version."""

    __tablename__ = "serving_concept_alerts"
    __table_args__ = (UniqueConstraint("deployment_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deployment_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("serving_deployments.id", ondelete="CASCADE")
    )
    version: Mapped[int] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(String(16))
    training_score: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
