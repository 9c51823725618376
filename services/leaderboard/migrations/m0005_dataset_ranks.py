"""Boards rank per dataset: an index for a board's runs on one dataset."""

from __future__ import annotations

from sqlalchemy import Connection

from services.leaderboard.models import Base


def upgrade(conn: Connection) -> None:
    # m0001 builds tables from the current models, so a fresh database already has it.
    for index in Base.metadata.tables["leaderboard_runs"].indexes:
        if index.name == "ix_leaderboard_runs_board_dataset":
            index.create(conn, checkfirst=True)
