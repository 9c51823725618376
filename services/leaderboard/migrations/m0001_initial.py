"""Initial schema: outbox/inbox and the run ledger."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.outbox import create_tables
from services.leaderboard.models import Base


def upgrade(conn: Connection) -> None:
    create_tables(conn)
    Base.metadata.create_all(conn)
