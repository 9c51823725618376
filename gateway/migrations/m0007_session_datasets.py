"""The datasets each notebook session has had attached, starting from each one's current."""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

from gateway.models import Base


def upgrade(conn: Connection) -> None:
    # m0001 builds tables from the current models, so a fresh database already has it.
    if "gateway_session_datasets" in inspect(conn).get_table_names():
        return
    Base.metadata.tables["gateway_session_datasets"].create(conn)
    conn.execute(
        text(
            "INSERT INTO gateway_session_datasets "
            "(session_id, dataset_sha256, filename, target, rows, attached_at) "
            "SELECT id, dataset_sha256, COALESCE(dataset_filename, 'dataset.csv'), "
            "dataset_target, dataset_rows, updated_at FROM gateway_sessions "
            "WHERE dataset_sha256 IS NOT NULL AND dataset_sha256 <> ''"
        )
    )
