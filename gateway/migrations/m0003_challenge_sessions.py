"""The notebook session of each learner's challenge (new table only)."""

from __future__ import annotations

from sqlalchemy import Connection

from gateway.models import Base


def upgrade(conn: Connection) -> None:
    Base.metadata.create_all(conn)
