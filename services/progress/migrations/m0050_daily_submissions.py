"""The daily submission limit of each challenge (issue 17, reproduction 2)."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import add_missing_columns
from services.progress.models import Base

NEW_COLUMNS = {"progress_challenges": ("daily_submissions",)}


def upgrade(conn: Connection) -> None:
    add_missing_columns(conn, Base.metadata, NEW_COLUMNS)
