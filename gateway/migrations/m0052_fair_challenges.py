"""Revealed hints per learner and challenge, and graded submissions counted against a
challenge's daily limit (issue 17)."""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

from gateway.models import ChallengeSubmission
from services.common.db import table_of


def upgrade(conn: Connection) -> None:
    # m0001 builds tables from the current models, so a fresh database already has both.
    table_of(ChallengeSubmission).create(conn, checkfirst=True)
    columns = {c["name"] for c in inspect(conn).get_columns("gateway_challenge_sessions")}
    if "hints_shown" not in columns:
        conn.execute(
            text(
                "ALTER TABLE gateway_challenge_sessions "
                "ADD COLUMN hints_shown INTEGER NOT NULL DEFAULT 0"
            )
        )
