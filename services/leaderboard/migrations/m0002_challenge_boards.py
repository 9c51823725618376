"""Challenge boards: best graded submission per learner, and instructor board settings."""

from __future__ import annotations

from sqlalchemy import Connection

from services.leaderboard.models import Base


def upgrade(conn: Connection) -> None:
    # Only the new tables are missing on an existing database; create_all skips the rest.
    Base.metadata.create_all(conn)
