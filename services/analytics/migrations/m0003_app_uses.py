"""App uses (services/apps events) for the dashboards; a new table only."""

from __future__ import annotations

from sqlalchemy import Connection

from services.analytics.models import Base


def upgrade(conn: Connection) -> None:
    # m0001 builds every table of the current models, so on a fresh database this is a no-op.
    Base.metadata.create_all(conn, checkfirst=True)
