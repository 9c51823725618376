from __future__ import annotations

from sqlalchemy import Connection

from services.apps.models import Base
from services.common.outbox import create_tables


def upgrade(conn: Connection) -> None:
    create_tables(conn)
    Base.metadata.create_all(conn)
