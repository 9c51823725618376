"""The platform's learning metrics (issue 20 §4): the dataset and starter flag of a run, what
the knowledge base predicted of a proposal. Columns added to existing tables (a fresh
database already has them from m0001); rows from before keep the defaults."""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

COLUMNS = {
    "analytics_runs": {
        "dataset_key": "VARCHAR(64) NOT NULL DEFAULT ''",
        "is_starter": "BOOLEAN NOT NULL DEFAULT FALSE",
    },
    "analytics_proposals": {
        "predicted_score": "FLOAT",
        "source": "VARCHAR(20) NOT NULL DEFAULT ''",
        "explored": "BOOLEAN NOT NULL DEFAULT FALSE",
    },
}


def upgrade(conn: Connection) -> None:
    inspector = inspect(conn)
    for table, columns in COLUMNS.items():
        present = {column["name"] for column in inspector.get_columns(table)}
        for name, kind in columns.items():
            if name not in present:
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {kind}"))
    if "ix_analytics_runs_dataset_key" not in {
        index["name"] for index in inspector.get_indexes("analytics_runs")
    }:
        conn.execute(
            text("CREATE INDEX ix_analytics_runs_dataset_key ON analytics_runs (dataset_key)")
        )
