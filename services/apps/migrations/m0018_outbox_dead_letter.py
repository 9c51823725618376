"""The outbox can dead-letter a row it can never publish (services/common/outbox.py)."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.outbox import add_dead_letter_columns


def upgrade(conn: Connection) -> None:
    add_dead_letter_columns(conn)
