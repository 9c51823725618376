"""Runs keep what execution left out of them or could not read (Run.notices)."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import add_missing_columns
from services.leaderboard.models import Base

NEW_COLUMNS = {"leaderboard_runs": ("notices_json",)}


def upgrade(conn: Connection) -> None:
    add_missing_columns(conn, Base.metadata, NEW_COLUMNS)
