"""Runs remember why they are not ranked and the value their last expression displayed."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import add_missing_columns
from services.leaderboard.models import Base

NEW_COLUMNS = {"leaderboard_runs": ("unranked_reason", "display_json")}


def upgrade(conn: Connection) -> None:
    add_missing_columns(conn, Base.metadata, NEW_COLUMNS)
