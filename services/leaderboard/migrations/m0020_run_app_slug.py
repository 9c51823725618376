"""Runs remember the app that made them (Run.app_slug), so the Runs board marks them."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import add_missing_columns
from services.leaderboard.models import Base

NEW_COLUMNS = {"leaderboard_runs": ("app_slug",)}


def upgrade(conn: Connection) -> None:
    add_missing_columns(conn, Base.metadata, NEW_COLUMNS)
