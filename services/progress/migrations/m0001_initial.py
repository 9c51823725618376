"""Initial schema: outbox/inbox, curriculum catalog and learner progress."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.outbox import create_tables
from services.progress.models import Base


def upgrade(conn: Connection) -> None:
    create_tables(conn)
    Base.metadata.create_all(conn)
