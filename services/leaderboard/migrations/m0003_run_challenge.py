"""Runs remember the challenge and the authored version they were graded on."""

from __future__ import annotations

from sqlalchemy import Connection, inspect

from services.leaderboard.models import Base

NEW_COLUMNS = {"leaderboard_runs": ("challenge_slug", "challenge_version")}


def upgrade(conn: Connection) -> None:
    inspector = inspect(conn)
    for table, columns in NEW_COLUMNS.items():
        present = {column["name"] for column in inspector.get_columns(table)}
        for name in columns:
            if name in present:
                # A fresh database got the column from m0001's create_all.
                continue
            column = Base.metadata.tables[table].c[name]
            kind = column.type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
