"""The serving tables and the outbox (with its dead-letter columns)."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.outbox import create_tables
from services.serving.models import Base


def upgrade(conn: Connection) -> None:
    create_tables(conn)
    Base.metadata.create_all(conn)
