"""Accepted coach proposals (the `accepted_improvements` badge counter).

A new table only; create_all leaves the existing ones alone.
"""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import create_table
from services.progress.models import AcceptedProposal


def upgrade(conn: Connection) -> None:
    create_table(conn, AcceptedProposal)
