from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Proposal(Base):
    """One improvement proposal: diagnosis, suggestions and the improved experiment."""

    __tablename__ = "coach_proposals"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64), index=True)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    diagnosis: Mapped[str] = mapped_column(Text)
    # JSON array of strings.
    suggestions_json: Mapped[str] = mapped_column(Text)
    pipeline_keys_json: Mapped[str] = mapped_column(Text)
    engine: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The learner's latest feedback: a rating (1-5, 0 = none) and a verdict ("" = none).
    # Kept so a later thumbs or accept adds to the earlier one instead of replacing it.
    rating: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    verdict: Mapped[str] = mapped_column(String(16), default="", server_default="")
    rated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
