"""Tables owned by the gateway: users, API tokens and notebook sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import utcnow


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "gateway_users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # As typed at registration, shown in the UI.
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    # Case-folded: makes "Ada" and "ada" the same account.
    username_key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    # Chosen by the learner, shown on boards instead of the username; NULL: the username.
    display_name: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Case-folded and unique, so two learners can never look alike on a board.
    display_name_key: Mapped[str | None] = mapped_column(
        String(32), nullable=True, unique=True, index=True
    )
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    __tablename__ = "gateway_api_tokens"

    # sha256 of the token: a leaked table does not leak usable tokens.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("gateway_users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class BrowserSession(Base):
    """A logged-in browser: the cookie names it, logout deletes it (so a copied cookie dies
    with the session instead of living out its 14-day signature)."""

    __tablename__ = "gateway_browser_sessions"

    # sha256 of the random id the cookie carries: a leaked table does not log anyone in.
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("gateway_users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class AuthThrottle(Base):
    """Failed logins per key (`account:<username_key>` or `address:<ip>`) in the current
    window; in the database so the count holds across restarts and gateway replicas."""

    __tablename__ = "gateway_auth_throttle"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class QuotaUsage(Base):
    """One metered act of a learner (a run, an upload, bytes of stored output), counted in
    a sliding window by `gateway.quotas`; rows older than the longest window are pruned."""

    __tablename__ = "gateway_quota_usage"
    __table_args__ = (Index("ix_gateway_quota_usage_user_kind_at", "user_id", "kind", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(36), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False, default=1)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class NotebookSession(Base):
    __tablename__ = "gateway_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("gateway_users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    code: Mapped[str] = mapped_column(Text, nullable=False)
    # Bumped whenever `code` changes: a save names the version it started from, and one
    # started from an older version (another tab saved meanwhile) is refused, not applied.
    code_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    dataset_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    dataset_filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    dataset_rows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dataset_columns: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Stored as the CSV's last column (the starter code's target); kept to show and re-pick.
    dataset_target: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # Runs started from this session, for default run names ("Baseline", "Run 2", ...).
    run_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # "Improve with AI" without a run id improves this one.
    last_run_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # The coach's last answer here (its ImproveResponse and the two runs, as JSON), so a
    # reload shows the diagnosis and the diff again: the coach keeps no "get proposal" call.
    last_improvement: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SessionDataset(Base):
    """Every dataset a notebook session has had attached (the session holds only its current
    one): the runs board names the dataset each run used, and filters by it."""

    __tablename__ = "gateway_session_datasets"

    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("gateway_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    dataset_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    target: Mapped[str | None] = mapped_column(String(255), nullable=True)
    rows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attached_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ChallengeSession(Base):
    """The notebook session a learner works a challenge in (one per learner and challenge)."""

    __tablename__ = "gateway_challenge_sessions"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    challenge_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(36), nullable=False)
    # How many of the challenge's hints the learner revealed (kept across reloads).
    hints_shown: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ChallengeSubmission(Base):
    """A graded submission a learner started, counted against the challenge's daily limit
    (issue 17: with no limit the public score was a label oracle)."""

    __tablename__ = "gateway_challenge_submissions"
    __table_args__ = (
        Index("ix_gateway_challenge_submissions_user_slug_at", "user_id", "challenge_slug", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(36), nullable=False)
    challenge_slug: Mapped[str] = mapped_column(String(100), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Cohort(Base):
    """A class an instructor runs; learners join it with `join_code`."""

    __tablename__ = "gateway_cohorts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    instructor_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("gateway_users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    join_code: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CohortMember(Base):
    __tablename__ = "gateway_cohort_members"

    cohort_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("gateway_cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("gateway_users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CohortAssignment(Base):
    """A challenge (curriculum or authored, by slug) assigned to a cohort with a due date."""

    __tablename__ = "gateway_cohort_assignments"

    cohort_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("gateway_cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    challenge_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
