"""Analytics for instructors (issue 17): track events, badges, hint and answer use, XP; new
tables only. Events from before this migration reach them by a replay (README)."""

from __future__ import annotations

from sqlalchemy import Connection

from services.analytics.models import Base


def upgrade(conn: Connection) -> None:
    # m0001 builds every table of the current models, so on a fresh database this is a no-op.
    Base.metadata.create_all(conn, checkfirst=True)
