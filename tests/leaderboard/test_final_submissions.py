"""Final submissions: the private standing ranks each learner by the best private score
among the submissions they selected (at most 2), else among their 2 best by public score;
selection is validated and closes once the private standing is revealed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from ascent.types.v1 import run_pb2

from services.common.db import Database
from services.common.errors import AscentError
from services.leaderboard import service
from tests.leaderboard.test_challenge_boards import T0, submit


def private_board(db: Database, slug: str) -> list[tuple[str, int, float]]:
    with db.session() as session:
        board = service.challenge_board(session, slug, 10, include_private=True)
    ranked = sorted(board.entries, key=lambda e: e.private_rank)
    return [(e.learner_id, e.private_rank, round(e.private_score, 4)) for e in ranked]


def select(db: Database, slug: str, learner: str, run_ids: list[str]) -> list[str]:
    with db.session() as session:
        result = service.select_final(session, slug, 0, learner, run_ids, include_private=True)
    return [s.run_id for s in result.submissions if s.final]


def test_selected_submissions_rank_the_learner_not_their_best_private(db: Database) -> None:
    slug = f"c-{uuid.uuid4().hex[:8]}"
    # ann's best private (0.99) is on a submission she does NOT select.
    ann_hidden_best = submit(db, slug, "ann", 0.70, 0.99, 0)
    ann_a = submit(db, slug, "ann", 0.90, 0.80, 1)
    ann_b = submit(db, slug, "ann", 0.85, 0.82, 2)
    submit(db, slug, "ben", 0.80, 0.90, 3)
    assert set(select(db, slug, "ann", [ann_a, ann_b])) == {ann_a, ann_b}
    # ann ranks by 0.82 (best private among her selection), below ben's 0.90.
    assert private_board(db, slug) == [("ben", 1, 0.90), ("ann", 2, 0.82)]
    # Selecting the hidden best instead puts her first: the selection is what counts.
    assert select(db, slug, "ann", [ann_hidden_best]) == [ann_hidden_best]
    assert private_board(db, slug) == [("ann", 1, 0.99), ("ben", 2, 0.90)]


def test_default_is_the_two_best_by_public_score(db: Database) -> None:
    slug = f"c-{uuid.uuid4().hex[:8]}"
    submit(db, slug, "ann", 0.60, 0.99, 0)  # third by public: not final by default
    first = submit(db, slug, "ann", 0.90, 0.70, 1)
    second = submit(db, slug, "ann", 0.80, 0.75, 2)
    submit(db, slug, "ben", 0.70, 0.74, 3)
    with db.session() as session:
        mine = service.final_submissions(session, slug, 0, "ann", include_private=False)
    assert not mine.selected and mine.max_final == service.FINAL_SUBMISSIONS
    assert {s.run_id for s in mine.submissions if s.final} == {first, second}
    assert not any(s.HasField("private_score") for s in mine.submissions)
    assert private_board(db, slug) == [("ann", 1, 0.75), ("ben", 2, 0.74)]
    # Clearing a selection returns to the default rule.
    select(db, slug, "ann", [first])
    assert private_board(db, slug) == [("ben", 1, 0.74), ("ann", 2, 0.70)]
    assert set(select(db, slug, "ann", [])) == {first, second}


def test_lower_is_better_boards_rank_final_scores_ascending(db: Database) -> None:
    slug = f"c-{uuid.uuid4().hex[:8]}"
    with db.session() as session:
        # A regression board scored by RMSE: lower is better.
        for learner, public, private, minute in (
            ("ann", 1.0, 3.0, 0),
            ("ann", 2.0, 0.5, 1),
            ("ann", 3.0, 0.1, 2),  # third by public: ignored by default
            ("ben", 1.5, 1.0, 3),
        ):
            run = submit_run(slug, learner, public, private, minute)
            service.record_run(session, run)
    assert private_board(db, slug) == [("ann", 1, 0.5), ("ben", 2, 1.0)]


def submit_run(slug: str, owner: str, public: float, private: float, minute: int) -> run_pb2.Run:
    run = run_pb2.Run(
        id=f"run-{uuid.uuid4().hex}",
        session_id=f"s-{owner}",
        owner_id=owner,
        challenge_slug=slug,
        status="ok",
    )
    run.created_at.FromDatetime(T0 + timedelta(minutes=minute))
    run.grade.status = "graded"
    run.grade.metric = "rmse"
    run.grade.lower_is_better = True
    run.grade.public_score = public
    run.grade.private_score = private
    return run


def test_selection_is_validated(db: Database) -> None:
    slug = f"c-{uuid.uuid4().hex[:8]}"
    ann = [submit(db, slug, "ann", 0.5 + i / 10, 0.5, i) for i in range(3)]
    bens = submit(db, slug, "ben", 0.9, 0.9, 5)
    ungraded = submit(db, slug, "ann", None, 0.0, 6, status="invalid")
    practice = submit(db, slug, "ann", 0.99, 0.99, 7, practice=True)
    other = submit(db, f"{slug}-other", "ann", 0.9, 0.9, 8)
    for bad, code, message in (
        (ann, "invalid_argument", "at most 2"),
        ([bens], "not_found", "Not one of your graded submissions"),
        ([ungraded], "not_found", "Not one of your graded submissions"),
        ([practice], "not_found", "Not one of your graded submissions"),
        ([other], "not_found", "Not one of your graded submissions"),
    ):
        with pytest.raises(AscentError, match=message) as err, db.session() as session:
            service.select_final(session, slug, 0, "ann", bad, include_private=False)
        assert err.value.code == code
    # Duplicates count once.
    assert select(db, slug, "ann", [ann[0], ann[0]]) == [ann[0]]


def test_selection_closes_when_the_private_standing_is_revealed(db: Database) -> None:
    slug = f"c-{uuid.uuid4().hex[:8]}"
    run = submit(db, slug, "ann", 0.9, 0.8, 0)
    with db.session() as session:
        service.set_challenge_board(session, slug, hidden=False, reveal_private=True)
    with pytest.raises(AscentError, match="revealed") as err, db.session() as session:
        service.select_final(session, slug, 0, "ann", [run], include_private=False)
    assert err.value.code == "unprocessable"
    with db.session() as session:
        mine = service.final_submissions(session, slug, 0, "ann", include_private=False)
    # Revealed: the learner sees their private scores, and that selection is locked.
    assert mine.locked and mine.submissions[0].private_score == pytest.approx(0.8)
