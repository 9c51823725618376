"""Each authored version's daily submission limit (issue 17, reproduction 2)."""

from __future__ import annotations

from sqlalchemy import Connection

from services.authoring.models import Base
from services.common.db import add_missing_columns

NEW_COLUMNS = {"authoring_versions": ("daily_submissions",)}


def upgrade(conn: Connection) -> None:
    add_missing_columns(conn, Base.metadata, NEW_COLUMNS)
