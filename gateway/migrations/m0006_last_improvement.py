"""The coach's last answer in a notebook, shown again after a reload (nullable)."""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text


def upgrade(conn: Connection) -> None:
    # m0001 builds tables from the current models, so a fresh database already has it.
    columns = {column["name"] for column in inspect(conn).get_columns("gateway_sessions")}
    if "last_improvement" not in columns:
        conn.execute(text("ALTER TABLE gateway_sessions ADD COLUMN last_improvement TEXT"))
