"""Drift monitoring: each version's training reference and the drift alerts (issue 16)."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import add_missing_columns, create_table
from services.serving.models import Base, DriftAlert


def upgrade(conn: Connection) -> None:
    add_missing_columns(conn, Base.metadata, {"serving_versions": ["reference_json"]})
    create_table(conn, DriftAlert)
