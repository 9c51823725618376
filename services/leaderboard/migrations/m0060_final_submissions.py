"""Every graded submission of a challenge board, and the learners' final selections.

An existing board only knows each learner's best submission by public score, so that one
is carried over as the learner's only submission (their earlier ones were never stored).
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from services.common.db import create_table, table_of
from services.leaderboard.models import ChallengeEntry, ChallengeSubmission, FinalSelection


def upgrade(conn: Connection) -> None:
    create_table(conn, ChallengeSubmission)
    create_table(conn, FinalSelection)
    entries, submissions = table_of(ChallengeEntry), table_of(ChallengeSubmission)
    known = set(conn.execute(select(submissions.c.run_id)).scalars())
    rows = [
        {
            "run_id": row.run_id,
            "challenge_slug": row.challenge_slug,
            "learner_id": row.learner_id,
            "public_score": row.public_score,
            "private_score": row.private_score,
            "metric": row.metric,
            "lower_is_better": row.lower_is_better,
            "submitted_at": row.submitted_at,
        }
        for row in conn.execute(select(entries))
        if row.run_id not in known
    ]
    if rows:
        conn.execute(submissions.insert(), rows)
