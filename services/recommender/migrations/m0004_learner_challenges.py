from __future__ import annotations

from sqlalchemy import Connection

from services.recommender.models import LearnerChallenge


def upgrade(conn: Connection) -> None:
    # m0001 creates every current model on a fresh database; this adds it to older ones.
    LearnerChallenge.__table__.create(conn, checkfirst=True)
