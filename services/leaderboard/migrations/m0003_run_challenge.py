"""Runs remember the challenge and the authored version they were graded on."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import add_missing_columns
from services.leaderboard.models import Base

NEW_COLUMNS = {"leaderboard_runs": ("challenge_slug", "challenge_version")}


def upgrade(conn: Connection) -> None:
    add_missing_columns(conn, Base.metadata, NEW_COLUMNS)
