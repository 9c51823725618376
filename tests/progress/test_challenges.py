"""The progress consumer on graded challenge runs: passes, personal bests, unlocks, badges,
their events, idempotency, and an exact rebuild from the same events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ascent.types.v1 import run_pb2
from sqlalchemy import select

from services.common import events
from services.common.curriculum import challenge_index
from services.common.db import Database
from services.common.ml.scoring import meets
from services.common.outbox import outbox, process_once
from services.progress import service
from services.progress.config import default_curriculum_dir
from services.progress.curriculum import load_catalog
from services.progress.models import Base, Challenge

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BEGINNER = {
    "first-classifier": 0.95,
    "data-detective": 0.78,
    "wine-scaling": 0.97,
    "feature-craft": 0.98,
    "diabetes-regression": 0.45,
}


@pytest.fixture
def catalog_db(db: Database) -> Database:
    with db.session() as session:
        service.sync_catalog(session, load_catalog(default_curriculum_dir()))
    return db


def graded(owner: str, slug: str, score: float | None, status: str = "graded") -> run_pb2.Run:
    run_id = f"run-{uuid.uuid4().hex}"
    run = run_pb2.Run(
        id=run_id,
        session_id="s",
        owner_id=owner,
        status="ok",
        challenge_slug=slug,
        # Each submission is new code (only new code earns run XP).
        code=f"print('{run_id}')",
    )
    run.grade.challenge_slug = slug
    run.grade.status = status
    if score is not None:
        run.grade.public_score = score
        run.grade.passed = status == "graded" and grader_passed(slug, score)
    return run


def grader_passed(slug: str, score: float) -> bool:
    """What the grader says of a submission scoring `score` on all the hidden rows."""
    challenge = challenge_index(load_catalog(default_curriculum_dir()))[slug]
    return meets(challenge.metric, score, challenge.pass_threshold)


def apply(db: Database, run: run_pb2.Run, event_id: str, at: datetime) -> service.RunAward | None:
    _, award = process_once(
        db,
        "progress-runs",
        events.RUN_COMPLETED,
        event_id,
        lambda s: service.record_run(s, run, event_id, at),
    )
    return award


def subjects(db: Database, learner: str) -> list[str]:
    """Subjects of the progress events staged for one learner (the database may be shared)."""
    found = []
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.subject, outbox.c.payload)
            .where(outbox.c.subject.like("progress.%"))
            .order_by(outbox.c.id)
        ).all()
    for subject, payload in rows:
        if getattr(events.decode(subject, bytes(payload)), "learner_id", "") == learner:
            found.append(subject)
    return found


def passes(db: Database, learner: str) -> list[Any]:
    """The learner's progress.challenge.passed.v1 events, in staging order."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.payload)
            .where(outbox.c.subject == events.CHALLENGE_PASSED)
            .order_by(outbox.c.id)
        ).all()
    found = [events.decode(events.CHALLENGE_PASSED, bytes(payload)) for (payload,) in rows]
    return [p for p in found if getattr(p, "learner_id", "") == learner]


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def test_beginner_track_passes_unlock_intermediate_with_events(catalog_db: Database) -> None:
    learner = unique("ada")
    first = apply(catalog_db, graded(learner, "first-classifier", 0.5), f"{learner}-e0", T0)
    assert first is not None and first.passed == []
    assert "first-run" in first.badges and "beat-baseline" in first.badges

    award = apply(catalog_db, graded(learner, "first-classifier", 0.95), f"{learner}-e1", T0)
    assert award is not None
    assert award.passed == ["first-classifier"]
    assert {"first-pass", "personal-best"} <= set(award.badges)
    assert (10, "New personal best: Your first classifier") in award.xp
    # A locked-in pass is not paid twice; a worse score is no personal best.
    again = apply(catalog_db, graded(learner, "first-classifier", 0.9), f"{learner}-e2", T0)
    assert again is not None and again.passed == [] and len(again.xp) == 1

    unlocked: list[str] = []
    for i, (slug, score) in enumerate(list(BEGINNER.items())[1:]):
        step = apply(catalog_db, graded(learner, slug, score), f"{learner}-b{i}", T0)
        assert step is not None and step.passed == [slug]
        unlocked += step.unlocked
    assert unlocked == ["intermediate"]
    assert events.TRACK_UNLOCKED in subjects(catalog_db, learner)
    assert subjects(catalog_db, learner).count(events.CHALLENGE_PASSED) == 5
    # Only the pass that made the whole beginner track passed says it completed it.
    assert [(p.track_slug, p.track_completed) for p in passes(catalog_db, learner)] == [
        ("beginner", False)
    ] * 4 + [("beginner", True)]
    assert {p.track_title for p in passes(catalog_db, learner)} == {"Beginner"}
    with catalog_db.session() as session:
        tracks = {t.slug: t for t in service.list_tracks(session, learner)}
        progress = service.get_progress(session, learner, 50)
        detail = service.get_challenge(session, "explain-drivers", learner).challenge
    assert tracks["intermediate"].unlocked and not tracks["advanced"].unlocked
    assert tracks["beginner"].passed_count == 5
    assert "track-complete" in {b.slug for b in progress.badges}
    assert progress.challenges_passed == 5
    # explain-drivers requires breast-cancer-pipeline inside its track.
    assert not detail.challenge.unlocked
    assert "One pipeline, no leakage" in detail.challenge.locked_reason
    assert len(detail.hints) == 3 and detail.starter_code
    assert "solution" not in str(detail).lower()


def test_ungraded_and_failed_submissions_change_no_challenge_state(catalog_db: Database) -> None:
    learner = unique("bob")
    apply(
        catalog_db, graded(learner, "first-classifier", None, "no_predictions"), f"{learner}-n1", T0
    )
    apply(catalog_db, graded(learner, "first-classifier", None, "invalid"), f"{learner}-n2", T0)
    with catalog_db.session() as session:
        progress = service.get_progress(session, learner, 50)
    assert progress.runs == 2 and list(progress.results) == []
    assert events.CHALLENGE_PASSED not in subjects(catalog_db, learner)


def test_practice_run_earns_run_xp_but_is_never_an_attempt_or_a_pass(
    catalog_db: Database,
) -> None:
    learner = unique("pia")
    run = graded(learner, "first-classifier", 0.99)
    run.practice = True  # defensive: a practice run with a grade still is not a submission
    award = apply(catalog_db, run, f"{learner}-p1", T0)
    assert award is not None and award.xp and not award.passed
    with catalog_db.session() as session:
        progress = service.get_progress(session, learner, 50)
    assert progress.runs == 1 and list(progress.results) == []
    assert progress.challenges_passed == 0
    assert events.CHALLENGE_PASSED not in subjects(catalog_db, learner)


def test_rank_badge_and_streaks(catalog_db: Database) -> None:
    learner = unique("cy")
    for day in range(3):
        run = graded(learner, "first-classifier", 0.5)
        apply(catalog_db, run, f"{learner}-d{day}", T0 + timedelta(days=day))
    with catalog_db.session() as session:
        assert (
            service.record_rank(
                session, learner, "first-classifier", 5, f"{learner}-r1", T0, 0.96
            ).badges
            == []
        )
    with catalog_db.session() as session:
        assert service.record_rank(
            session, learner, "first-classifier", 2, f"{learner}-r2", T0, 0.96
        ).badges == ["podium"]
        progress = service.get_progress(session, learner, 50)
    assert (progress.streak_days, progress.best_streak_days) == (3, 3)
    assert "streak-3" in {b.slug for b in progress.badges}


def test_a_failing_submission_is_never_on_the_podium(catalog_db: Database) -> None:
    """Second of two entrants with 0.33 (the threshold is 0.95): a place, not an achievement."""
    learner = unique("fail")
    apply(catalog_db, graded(learner, "first-classifier", 0.33), f"{learner}-s1", T0)
    with catalog_db.session() as session:
        assert (
            service.record_rank(
                session, learner, "first-classifier", 2, f"{learner}-r1", T0, 0.33
            ).badges
            == []
        )
    with catalog_db.session() as session:
        assert "podium" not in {b.slug for b in service.get_progress(session, learner, 50).badges}
    # Once the same learner's submission passes, the place counts.
    with catalog_db.session() as session:
        assert service.record_rank(
            session, learner, "first-classifier", 3, f"{learner}-r2", T0, 0.95
        ).badges == ["podium"]


def test_lower_is_better_podium_uses_the_metric_direction(catalog_db: Database) -> None:
    with catalog_db.session() as session:
        slug, threshold = next(
            (c.slug, c.pass_threshold)
            for c in session.scalars(select(Challenge))
            if c.metric in ("rmse", "mae")
        )
    learner = unique("mae")
    with catalog_db.session() as session:
        assert not service.record_rank(
            session, learner, slug, 1, f"{learner}-r1", T0, threshold * 2
        ).badges
    with catalog_db.session() as session:
        assert service.record_rank(
            session, learner, slug, 1, f"{learner}-r2", T0, threshold * 0.9
        ).badges == ["podium"]


def _plain(value: object) -> object:
    """SQLite returns naive UTC datetimes, PostgreSQL aware ones: compare instants."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    return value


def dump(db: Database, learners: set[str]) -> dict[str, list[tuple[object, ...]]]:
    tables = {}
    with db.engine.connect() as conn:
        for name, table in Base.metadata.tables.items():
            query = select(table)
            if "learner_id" in table.c:
                query = query.where(table.c.learner_id.in_(learners))
            rows = conn.execute(query).all()
            # Autoincrement ids and catalog sync times differ between databases, not facts.
            cleaned = [
                tuple(_plain(v) for k, v in row._mapping.items() if k not in ("id", "updated_at"))
                for row in rows
            ]
            tables[name] = sorted(cleaned, key=repr)
    return tables


def test_applying_the_same_events_to_an_empty_database_rebuilds_identical_state(
    catalog_db: Database, tmp_path: Path
) -> None:
    ann, ben = unique("ann"), unique("ben")
    stream: list[tuple[run_pb2.Run, str, datetime]] = []
    for n, (slug, score) in enumerate(BEGINNER.items()):
        for learner, factor in ((ann, 1.0), (ben, 0.9)):
            stream.append(
                (graded(learner, slug, score * factor), f"{learner}-{n}", T0 + timedelta(hours=n))
            )
            stream.append(
                (
                    graded(learner, slug, score * 0.5),
                    f"{learner}-{n}-low",
                    T0 + timedelta(hours=n, minutes=5),
                )
            )
    for run, event_id, at in stream:
        apply(catalog_db, run, event_id, at)
    # Redelivery of everything changes nothing.
    before = dump(catalog_db, {ann, ben})
    for run, event_id, at in stream:
        apply(catalog_db, run, event_id, at)
    assert dump(catalog_db, {ann, ben}) == before

    fresh = Database(f"sqlite:///{tmp_path / 'replay.db'}")
    fresh.migrate("progress", "services.progress.migrations")
    with fresh.session() as session:
        service.sync_catalog(session, load_catalog(default_curriculum_dir()))
    for run, event_id, at in stream:
        apply(fresh, run, event_id, at)
    assert dump(fresh, {ann, ben}) == before
    fresh.dispose()
