"""Challenge boards: best graded submission per learner, ties by earliest, public vs private,
instructor settings, rank events; ungraded submissions never reach a board."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from ascent.events.v1 import leaderboard_pb2
from ascent.types.v1 import run_pb2
from sqlalchemy import select

from services.common import events
from services.common.db import Database
from services.common.outbox import outbox
from services.leaderboard import service

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def submit(
    db: Database,
    slug: str,
    owner: str,
    public: float | None,
    private: float,
    minutes: int,
    status: str = "graded",
    practice: bool = False,
) -> str:
    run = run_pb2.Run(
        id=f"run-{uuid.uuid4().hex}",
        session_id=f"s-{owner}",
        owner_id=owner,
        challenge_slug=slug,
        status="ok",
        practice=practice,
    )
    run.created_at.FromDatetime(T0 + timedelta(minutes=minutes))
    run.grade.status = status
    run.grade.metric = "accuracy"
    if public is not None:
        run.grade.public_score = public
        run.grade.private_score = private
    with db.session() as session:
        service.record_run(session, run)
    return run.id


def ranked_events(db: Database, slug: str) -> list[leaderboard_pb2.ChallengeRanked]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.payload)
            .where(outbox.c.subject == events.CHALLENGE_RANKED)
            .order_by(outbox.c.id)
        ).scalars()
        found = [leaderboard_pb2.ChallengeRanked.FromString(bytes(p)) for p in rows]
    return [e for e in found if e.challenge_slug == slug]


def test_best_per_learner_ties_by_earliest_and_private_withheld(db: Database) -> None:
    slug = f"c-{uuid.uuid4().hex[:8]}"
    submit(db, slug, "ann", 0.80, 0.70, 0)
    best_ann = submit(db, slug, "ann", 0.90, 0.85, 5)
    submit(db, slug, "ann", 0.85, 0.99, 6)  # worse public score: not her best
    submit(db, slug, "ben", 0.90, 0.95, 7)  # tie with ann, but later
    submit(db, slug, "cy", None, 0.0, 8, status="invalid")  # never on the board
    with db.session() as session:
        board = service.challenge_board(session, slug, 10, include_private=False)
    assert [(e.rank, e.learner_id, e.public_score) for e in board.entries] == [
        (1, "ann", 0.90),
        (2, "ben", 0.90),
    ]
    assert board.entries[0].run_id == best_ann and board.entries[0].submissions == 3
    assert not any(e.HasField("private_score") for e in board.entries)
    with db.session() as session:
        full = service.challenge_board(session, slug, 10, include_private=True)
    # No final selection: ann's 2 best public submissions count, and the better private of
    # them (0.99, her 0.85-public one) beats ben's 0.95.
    assert [(e.learner_id, e.private_rank) for e in full.entries] == [("ann", 1), ("ben", 2)]
    assert [e.private_score for e in full.entries] == [0.99, 0.95]
    assert [(e.learner_id, e.rank) for e in ranked_events(db, slug)] == [
        ("ann", 1),
        ("ann", 1),
        ("ben", 2),
    ]


def test_instructor_settings_hide_and_reveal(db: Database) -> None:
    slug = f"c-{uuid.uuid4().hex[:8]}"
    submit(db, slug, "ann", 0.8, 0.7, 0)
    with db.session() as session:
        service.set_challenge_board(session, slug, hidden=True, reveal_private=True)
    with db.session() as session:
        board = service.challenge_board(session, slug, 10, include_private=False)
    assert board.hidden and board.private_revealed
    assert board.entries[0].private_score == 0.7


def test_practice_runs_land_in_the_ledger_but_never_on_the_challenge_board(db: Database) -> None:
    slug = f"c-{uuid.uuid4().hex[:8]}"
    owner = f"dee-{uuid.uuid4().hex[:6]}"
    # Even a practice run that somehow carried a passing grade must not rank.
    practice = submit(db, slug, owner, 0.99, 0.99, 0, practice=True)
    with db.session() as session:
        board = service.challenge_board(session, slug, 10, include_private=False)
        ledger = service.list_runs(session, f"s-{owner}")
    assert list(board.entries) == []
    assert ranked_events(db, slug) == []
    assert [r.id for r in ledger] == [practice]
