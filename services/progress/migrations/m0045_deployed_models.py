"""Deployments a learner made (the `models_deployed` badge counter; issue 16).

A new table only; create_all leaves the existing ones alone.
"""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import create_table
from services.progress.models import DeployedModel


def upgrade(conn: Connection) -> None:
    create_table(conn, DeployedModel)
