from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import create_table
from services.recommender.models import AppEvidence, AppTraining


def upgrade(conn: Connection) -> None:
    # m0001 creates every current model on a fresh database; this adds them to older ones.
    create_table(conn, AppEvidence)
    create_table(conn, AppTraining)
