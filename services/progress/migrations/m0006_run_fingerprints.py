"""Run fingerprints (run XP for new code or data only, issue 13 item 14).

A new table only; create_all leaves the existing ones alone. Learners' earlier runs have no
fingerprint, so their next run of old code pays once more: a one-off, never a loop.
"""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import create_table
from services.progress.models import RunFingerprint


def upgrade(conn: Connection) -> None:
    create_table(conn, RunFingerprint)
