"""Learning by teaching (issue 17): explanations, their helpful votes and the pitfall
sightings of failed challenge runs. New tables only; the existing ones are left alone."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import create_table
from services.progress.models import Explanation, ExplanationVote, PitfallSighting


def upgrade(conn: Connection) -> None:
    for model in (Explanation, ExplanationVote, PitfallSighting):
        create_table(conn, model)
