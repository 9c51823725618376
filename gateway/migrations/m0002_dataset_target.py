"""The target column chosen for a session's dataset (the last column when not chosen)."""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text


def upgrade(conn: Connection) -> None:
    # m0001 builds tables from the current models, so a fresh database already has it.
    columns = {column["name"] for column in inspect(conn).get_columns("gateway_sessions")}
    if "dataset_target" not in columns:
        conn.execute(text("ALTER TABLE gateway_sessions ADD COLUMN dataset_target VARCHAR(255)"))
