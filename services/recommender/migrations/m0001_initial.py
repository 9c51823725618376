from __future__ import annotations

from sqlalchemy import Connection

from services.common.outbox import create_tables
from services.recommender.models import Base


def upgrade(conn: Connection) -> None:
    create_tables(conn)
    Base.metadata.create_all(conn)
