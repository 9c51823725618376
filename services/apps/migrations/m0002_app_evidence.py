"""The Feature Engineering Playground's and the Model Training Sandbox's evidence tables."""

from __future__ import annotations

from sqlalchemy import Connection

from services.apps.models import Base

TABLES = ("apps_transform_outcomes", "apps_training_outcomes")


def upgrade(conn: Connection) -> None:
    Base.metadata.create_all(conn, tables=[Base.metadata.tables[name] for name in TABLES])
