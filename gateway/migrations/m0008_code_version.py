"""A version on each notebook's code, for optimistic concurrency between tabs (NOT NULL, 1)."""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text


def upgrade(conn: Connection) -> None:
    # m0001 builds tables from the current models, so a fresh database already has it.
    columns = {column["name"] for column in inspect(conn).get_columns("gateway_sessions")}
    if "code_version" not in columns:
        conn.execute(
            text("ALTER TABLE gateway_sessions ADD COLUMN code_version INTEGER NOT NULL DEFAULT 1")
        )
