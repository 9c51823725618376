"""Accepted coach proposals (the `accepted_improvements` badge counter).

A new table only; create_all leaves the existing ones alone.
"""

from __future__ import annotations

from sqlalchemy import Connection

from services.progress.models import AcceptedProposal


def upgrade(conn: Connection) -> None:
    AcceptedProposal.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]
