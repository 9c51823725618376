"""The Model Explainability Suite's ratings of explanations (issue 15)."""

from __future__ import annotations

from sqlalchemy import Connection

from services.apps.models import Base

TABLES = ("apps_explanation_ratings",)


def upgrade(conn: Connection) -> None:
    Base.metadata.create_all(conn, tables=[Base.metadata.tables[name] for name in TABLES])
