"""Learner-chosen display names shown on boards instead of the username (optional)."""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text


def upgrade(conn: Connection) -> None:
    # m0001 builds tables from the current models, so a fresh database already has them.
    inspector = inspect(conn)
    columns = {column["name"] for column in inspector.get_columns("gateway_users")}
    if "display_name" not in columns:
        conn.execute(text("ALTER TABLE gateway_users ADD COLUMN display_name VARCHAR(32)"))
    if "display_name_key" not in columns:
        conn.execute(text("ALTER TABLE gateway_users ADD COLUMN display_name_key VARCHAR(32)"))
    indexes = {index["name"] for index in inspector.get_indexes("gateway_users")}
    if "ix_gateway_users_display_name_key" not in indexes:
        # Unique, case-folded; NULL (no display name) may repeat in SQLite and PostgreSQL.
        conn.execute(
            text(
                "CREATE UNIQUE INDEX ix_gateway_users_display_name_key "
                "ON gateway_users (display_name_key)"
            )
        )
