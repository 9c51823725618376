from __future__ import annotations

from sqlalchemy import Connection, inspect, text


def upgrade(conn: Connection) -> None:
    # Who an observation is from and who computed its score (issue 20, §3: trust.py). m0001
    # creates tables from the current models, so a fresh database already has both.
    columns = {column["name"] for column in inspect(conn).get_columns("recommender_observations")}
    for name, kind in (("owner_id", "VARCHAR(64)"), ("trust", "VARCHAR(20)")):
        if name not in columns:
            conn.execute(
                text(
                    f"ALTER TABLE recommender_observations "
                    f"ADD COLUMN {name} {kind} NOT NULL DEFAULT ''"
                )
            )
