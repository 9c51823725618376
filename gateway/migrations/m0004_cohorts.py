"""Cohorts, their members and assignments (new tables only)."""

from __future__ import annotations

from sqlalchemy import Connection

from gateway.models import Base


def upgrade(conn: Connection) -> None:
    Base.metadata.create_all(conn, checkfirst=True)
