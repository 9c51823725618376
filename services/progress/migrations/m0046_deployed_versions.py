"""Deployed versions with their scores and drift alerts seen (issue 16: the "deployed
models that meet their bar" rule and the Production ML Engineer badge).

New tables only; create_all leaves the existing ones alone.
"""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import create_table
from services.progress.models import DeployedVersion, DriftAlertSeen


def upgrade(conn: Connection) -> None:
    create_table(conn, DeployedVersion)
    create_table(conn, DriftAlertSeen)
