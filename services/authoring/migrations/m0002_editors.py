"""Challenges shared with other instructors (`authoring_editors`)."""

from __future__ import annotations

from sqlalchemy import Connection

from services.authoring.models import ChallengeEditor
from services.common.db import table_of


def upgrade(conn: Connection) -> None:
    # m0001 builds tables from the current models, so on a fresh database it exists already.
    table_of(ChallengeEditor).create(conn, checkfirst=True)
