"""Authored challenges in the catalog: their current version and an archived flag."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import add_missing_columns
from services.progress.models import Base

NEW_COLUMNS = {"progress_challenges": ("version", "archived")}


def upgrade(conn: Connection) -> None:
    add_missing_columns(conn, Base.metadata, NEW_COLUMNS)
