from __future__ import annotations

from sqlalchemy import Connection, inspect, text


def upgrade(conn: Connection) -> None:
    # m0001 creates tables from the current models, so a fresh database already has these.
    columns = {column["name"] for column in inspect(conn).get_columns("coach_proposals")}
    if "rating" not in columns:
        conn.execute(
            text("ALTER TABLE coach_proposals ADD COLUMN rating INTEGER NOT NULL DEFAULT 0")
        )
    if "verdict" not in columns:
        conn.execute(
            text("ALTER TABLE coach_proposals ADD COLUMN verdict VARCHAR(16) NOT NULL DEFAULT ''")
        )
    if "rated_at" not in columns:
        conn.execute(
            text("ALTER TABLE coach_proposals ADD COLUMN rated_at TIMESTAMP WITH TIME ZONE NULL")
        )
