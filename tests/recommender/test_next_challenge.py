"""Ranking the learner's next challenge from their graded attempts (pure rules)."""

from __future__ import annotations

import uuid
from dataclasses import replace

from ascent.types.v1 import run_pb2

from services.common.db import Database
from services.recommender.next_challenge import (
    Attempts,
    CatalogChallenge,
    rank_challenges,
    shortfall,
    weak_spots,
)
from services.recommender.service import learner_attempts, record_challenge_attempt


def challenge(
    slug: str,
    metric: str,
    threshold: float,
    *,
    position: int = 1,
    track_slug: str = "beginner",
    track_title: str = "Beginner",
    track_position: int = 1,
    tags: tuple[str, ...] = (),
    requires: tuple[str, ...] = (),
    unlocked: bool = True,
    passed: bool = False,
) -> CatalogChallenge:
    return CatalogChallenge(
        slug=slug,
        title=slug.replace("-", " ").title(),
        track_slug=track_slug,
        track_title=track_title,
        track_position=track_position,
        position=position,
        metric=metric,
        pass_threshold=threshold,
        task_type="regression" if metric in ("r2", "mae", "rmse") else "classification",
        tags=tags,
        requires=requires,
        unlocked=unlocked,
        passed=passed,
    )


def attempts(slug: str, best: float | None, passed: bool = False, n: int = 2) -> Attempts:
    return Attempts(slug, attempts=n, failed=0 if passed else n, best_score=best, passed=passed)


CATALOG = [
    challenge("first-classifier", "accuracy", 0.9, position=1, passed=True),
    challenge("ticket-router", "f1_score", 0.85, position=2, tags=("packaged-model",)),
    challenge("wine-scaling", "accuracy", 0.93, position=3),
    challenge("diabetes-regression", "r2", 0.4, position=4),
    challenge(
        "breast-cancer-pipeline",
        "f1_score",
        0.94,
        track_slug="intermediate",
        track_title="Intermediate",
        track_position=2,
        position=1,
        requires=("first-classifier",),
    ),
    challenge("sales-forecast", "mae", 12.0, track_position=2, position=2, unlocked=False),
]


def test_shortfall_is_relative_and_respects_the_metric_direction() -> None:
    assert shortfall(0.95, 0.9, lower_is_better=False) == 0.0
    assert abs(shortfall(0.81, 0.9, lower_is_better=False) - 0.1) < 1e-9
    assert abs(shortfall(13.2, 12.0, lower_is_better=True) - 0.1) < 1e-9
    assert shortfall(None, 0.9, lower_is_better=False) == 1.0
    assert shortfall(-3.0, 0.4, lower_is_better=False) == 1.0


def test_a_newcomer_starts_at_the_beginning_of_the_catalog() -> None:
    fresh = [replace(c, passed=False) for c in CATALOG]
    ranking = rank_challenges(fresh, {}, limit=2)
    assert [s.challenge.slug for s in ranking.suggestions] == ["first-classifier", "ticket-router"]
    assert ranking.suggestions[0].reason == "start"
    assert "Beginner" in ranking.suggestions[0].rationale
    assert ranking.weak_spots == []


def test_a_weak_metric_points_to_another_challenge_that_practises_it() -> None:
    # F1 on the ticket router stayed far below its threshold: the F1 pipeline challenge, which
    # the classifier pass unlocked, comes first, with both reasons in its rationale.
    learner = {
        "first-classifier": attempts("first-classifier", 0.96, passed=True, n=1),
        "ticket-router": attempts("ticket-router", 0.52, n=3),
    }
    ranking = rank_challenges(CATALOG, learner, limit=3)
    top = ranking.suggestions[0]
    assert top.challenge.slug == "breast-cancer-pipeline", ranking.suggestions
    assert top.reason == "weak_spot"
    assert top.rationale.startswith("You passed First Classifier, which opened it;")
    assert "your F1 score was weak (0.52 vs 0.85 on Ticket Router) → it practises F1 score" in (
        top.rationale
    )
    spots = {spot.skill: spot for spot in ranking.weak_spots}
    assert "metric:f1_score" in spots and "tag:packaged-model" in spots
    assert "metric:accuracy" not in spots  # passed with a margin
    # Locked and passed challenges are never suggested.
    slugs = {s.challenge.slug for s in ranking.suggestions}
    assert not slugs & {"first-classifier", "sales-forecast"}


def test_a_near_miss_is_finished_before_anything_new() -> None:
    learner = {
        "first-classifier": attempts("first-classifier", 0.96, passed=True, n=1),
        "wine-scaling": attempts("wine-scaling", 0.92, n=2),
    }
    ranking = rank_challenges(CATALOG, learner)
    top = ranking.suggestions[0]
    assert top.challenge.slug == "wine-scaling"
    assert top.reason == "retry"
    assert "you are close: your best is 0.92 vs 0.93 needed" in top.rationale.lower()


def test_a_far_miss_ranks_below_the_next_step_and_passes_count_as_strength() -> None:
    learner = {
        "first-classifier": attempts("first-classifier", 0.96, passed=True, n=1),
        "diabetes-regression": attempts("diabetes-regression", -0.5, n=4),
    }
    weakness, spots = weak_spots(CATALOG, learner)
    assert weakness["metric:r2"] == 1.0 and weakness["metric:accuracy"] == 0.0
    assert [s.skill for s in spots][:2] == ["metric:r2", "task:regression"]
    ranking = rank_challenges(CATALOG, learner, limit=5)
    order = [s.challenge.slug for s in ranking.suggestions]
    # A far miss is no "you are close": the next step the pass unlocked (with a new metric)
    # comes first, the retry second, untouched challenges after.
    assert order[:2] == ["breast-cancer-pipeline", "diabetes-regression"], order
    retry = next(s for s in ranking.suggestions if s.challenge.slug == "diabetes-regression")
    assert retry.reason == "retry" and "-0.50 vs 0.40 needed" in retry.rationale


def test_nothing_open_says_why() -> None:
    done = [replace(c, passed=c.unlocked) for c in CATALOG]
    ranking = rank_challenges(done, {})
    assert ranking.suggestions == []
    assert "next track" in ranking.note


def submission(
    learner: str, score: float | None, passed: bool, status: str = "graded", lower: bool = False
) -> run_pb2.Run:
    run = run_pb2.Run(id=str(uuid.uuid4()), owner_id=learner, challenge_slug="sales-forecast")
    run.grade.CopyFrom(
        run_pb2.Grade(
            challenge_slug="sales-forecast",
            metric="mae",
            lower_is_better=lower,
            status=status,
            pass_threshold=12.0,
            passed=passed,
        )
    )
    if score is not None:
        run.grade.public_score = score
    return run


def test_submissions_fold_into_the_learners_record(db: Database) -> None:
    """Best score follows the metric's direction; failures, crashes and passes are counted;
    a grader outage, practice runs and non-challenge runs teach nothing; learners stay apart."""
    # Learner ids unique per test run: the PostgreSQL schema outlives a run.
    ada, bob = f"ada-{uuid.uuid4().hex}", f"bob-{uuid.uuid4().hex}"
    runs = [
        submission(ada, 20.0, False, lower=True),
        submission(ada, None, False, status="run_failed", lower=True),
        submission(ada, 14.0, False, lower=True),
        submission(ada, 16.0, False, lower=True),
        submission(ada, None, False, status="unavailable", lower=True),
        submission(bob, 11.0, True, lower=True),
        run_pb2.Run(id="plain", owner_id=ada),
        # A practice run of the challenge (not graded, not a submission) is no attempt.
        run_pb2.Run(id="practice", owner_id=ada, challenge_slug="sales-forecast", practice=True),
    ]
    with db.session() as session:
        recorded = [record_challenge_attempt(session, run) for run in runs]
    assert recorded == [True, True, True, True, False, True, False, False]
    with db.session() as session:
        a = learner_attempts(session, ada)["sales-forecast"]
        b = learner_attempts(session, bob)["sales-forecast"]
    assert (a.attempts, a.failed, a.best_score, a.passed) == (4, 4, 14.0, False)
    assert (b.attempts, b.failed, b.best_score, b.passed) == (1, 0, 11.0, True)
