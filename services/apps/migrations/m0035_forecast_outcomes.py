"""The Time-Series Forecaster's evidence: which model won on which kind of series."""

from __future__ import annotations

from sqlalchemy import Connection

from services.apps.models import Base


def upgrade(conn: Connection) -> None:
    Base.metadata.create_all(conn, tables=[Base.metadata.tables["apps_forecast_outcomes"]])
