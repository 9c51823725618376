from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class DatasetProfile(Base):
    """Meta-features, computed once per dataset content hash (or built-in dataset key)."""

    __tablename__ = "recommender_profiles"

    dataset_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    rows: Mapped[int] = mapped_column(BigInteger)
    columns: Mapped[int] = mapped_column(BigInteger)
    task_type: Mapped[str] = mapped_column(String(20), index=True)
    n_classes: Mapped[int] = mapped_column(Integer)
    missing_ratio: Mapped[float] = mapped_column(Float)
    categorical_ratio: Mapped[float] = mapped_column(Float)
    class_imbalance: Mapped[float] = mapped_column(Float)
    target: Mapped[str] = mapped_column(String(300))
    # Extended meta-features (statistics and landmarkers) as a JSON object.
    extra_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    # Role of each feature column, {name: role} (services/common/ml/columns.py; m0005).
    columns_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DatasetName(Base):
    """The file name a dataset was first uploaded under (gateway.dataset.uploaded.v1), so a
    similar dataset is cited by its name, never by its content hash (m0006)."""

    __tablename__ = "recommender_dataset_names"

    dataset_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Observation(Base):
    """One scored run: this pipeline reached this score on this dataset."""

    __tablename__ = "recommender_observations"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    run_id: Mapped[str] = mapped_column(String(64), unique=True)
    dataset_key: Mapped[str] = mapped_column(String(80), index=True)
    # The learner the outcome is from (the caps) and who computed its score: "coach", "app"
    # or "automl" (trust.py; m0055). Rows from before m0055 have "".
    owner_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    trust: Mapped[str] = mapped_column(String(20), default="", server_default="")
    task_type: Mapped[str] = mapped_column(String(20), index=True)
    pipeline_key: Mapped[str] = mapped_column(Text)
    pipeline_json: Mapped[str] = mapped_column(Text)
    estimator: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float)
    duration_ms: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Feedback(Base):
    """The latest rating / verdict a learner gave a coach proposal, per pipeline key."""

    __tablename__ = "recommender_feedback"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    proposal_id: Mapped[str] = mapped_column(String(64), index=True)
    pipeline_key: Mapped[str] = mapped_column(Text)
    # In [-1, 1]: accepted +1 / rejected -1, a rating r maps to (r - 3) / 2; both averaged.
    value: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LearnerChallenge(Base):
    """What one learner's submissions to one challenge showed (from run events)."""

    __tablename__ = "recommender_learner_challenges"

    learner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    challenge_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Submissions that did not pass (graded below the threshold, or not gradable).
    failed: Mapped[int] = mapped_column(Integer, default=0)
    best_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    metric: Mapped[str] = mapped_column(String(32), default="")
    lower_is_better: Mapped[bool] = mapped_column(Boolean, default=False)
    pass_threshold: Mapped[float] = mapped_column(Float, default=0.0)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The first passing submission (m0056): the order of passes, for collaborative filtering.
    passed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AppEvidence(Base):
    """Per (app, meta-feature neighbourhood, kind): what the apps' learners did with a
    recommendation kind (explorer: shown, applied, dismissed, did the next run improve) or
    what a transformation kind measured (features: trials, helped, sum of score changes).
    From the apps.* events (services/recommender/apps_evidence.py, m0030)."""

    __tablename__ = "recommender_app_evidence"

    app_slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    neighbourhood: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    shown: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[int] = mapped_column(Integer, default=0)
    dismissed: Mapped[int] = mapped_column(Integer, default=0)
    improved: Mapped[int] = mapped_column(Integer, default=0)
    not_improved: Mapped[int] = mapped_column(Integer, default=0)
    trials: Mapped[int] = mapped_column(Integer, default=0)
    helped: Mapped[int] = mapped_column(Integer, default=0)
    delta_sum: Mapped[float] = mapped_column(Float, default=0.0)


class AppTraining(Base):
    """Per (neighbourhood, model, hyperparameters): the Model Training Sandbox's validation
    scores; a neighbourhood's best configurations are its recommended starting points (m0030)."""

    __tablename__ = "recommender_app_trainings"

    neighbourhood: Mapped[str] = mapped_column(String(100), primary_key=True)
    model: Mapped[str] = mapped_column(String(40), primary_key=True)
    params_json: Mapped[str] = mapped_column(String(500), primary_key=True)
    metric: Mapped[str] = mapped_column(String(20), default="")
    trials: Mapped[int] = mapped_column(Integer, default=0)
    validation_sum: Mapped[float] = mapped_column(Float, default=0.0)
    best_validation: Mapped[float] = mapped_column(Float, default=0.0)
