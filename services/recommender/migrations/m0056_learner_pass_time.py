from __future__ import annotations

from sqlalchemy import Connection, inspect, text


def upgrade(conn: Connection) -> None:
    # When a learner first passed a challenge (collaborative filtering, issue 20 §5: "what
    # similar learners passed next" needs the order of passes). m0001 creates tables from the
    # current models, so a fresh database already has it; older passes keep NULL and are
    # ordered by their last attempt.
    columns = {c["name"] for c in inspect(conn).get_columns("recommender_learner_challenges")}
    if "passed_at" not in columns:
        kind = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
        conn.execute(
            text(f"ALTER TABLE recommender_learner_challenges ADD COLUMN passed_at {kind}")
        )
