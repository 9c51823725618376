from __future__ import annotations

from sqlalchemy import Connection, inspect, text


def upgrade(conn: Connection) -> None:
    # m0001 creates tables from the current models, so a fresh database already has it.
    columns = {column["name"] for column in inspect(conn).get_columns("recommender_profiles")}
    if "columns_json" not in columns:
        conn.execute(
            text(
                "ALTER TABLE recommender_profiles "
                "ADD COLUMN columns_json TEXT NOT NULL DEFAULT '{}'"
            )
        )
