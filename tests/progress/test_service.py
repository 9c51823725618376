"""Progress logic on a real database: catalog sync, XP, levels, badges and unlock rules."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ascent.events.v1 import progress_pb2
from ascent.progress.v1 import progress_service_pb2
from ascent.types.v1 import run_pb2
from sqlalchemy import func, select

from services.common import events
from services.common.db import Database
from services.common.errors import AscentError
from services.common.outbox import outbox, process_once
from services.progress import service
from services.progress.config import default_curriculum_dir
from services.progress.curriculum import UnlockRule, load_catalog
from services.progress.models import Challenge, Track


@pytest.fixture
def catalog_db(db: Database) -> Database:
    with db.session() as session:
        service.sync_catalog(session, load_catalog(default_curriculum_dir()))
    return db


@pytest.fixture
def learner() -> str:
    return f"learner-{uuid.uuid4().hex}"


def make_run(
    owner: str, *, ok: bool = True, improved: bool = False, code: str | None = None
) -> run_pb2.Run:
    run_id = f"run-{uuid.uuid4().hex}"
    return run_pb2.Run(
        id=run_id,
        session_id="s-1",
        owner_id=owner,
        # New code for every run unless a test says otherwise: only new code earns run XP.
        code=f"print('{run_id}')" if code is None else code,
        dataset_sha256="d" * 64,
        has_error=not ok,
        status="ok" if ok else "error",
        is_improved=improved,
    )


def record(db: Database, run: run_pb2.Run) -> service.RunAward:
    with db.session() as session:
        return service.record_run(session, run, str(uuid.uuid4()))


def progress(db: Database, learner: str) -> progress_service_pb2.GetProgressResponse:
    with db.session() as session:
        return service.get_progress(session, learner, 20)


def badge_events(db: Database, learner: str) -> list[progress_pb2.BadgeAwarded]:
    with db.engine.connect() as conn:
        payloads = conn.execute(
            select(outbox.c.payload).where(outbox.c.subject == events.BADGE_AWARDED)
        ).scalars()
        found = [progress_pb2.BadgeAwarded.FromString(bytes(p)) for p in payloads]
    return [event for event in found if event.learner_id == learner]


def xp_events(db: Database, learner: str) -> list[progress_pb2.XpAwarded]:
    with db.engine.connect() as conn:
        payloads = conn.execute(
            select(outbox.c.payload)
            .where(outbox.c.subject == events.XP_AWARDED)
            .order_by(outbox.c.id)
        ).scalars()
        found = [progress_pb2.XpAwarded.FromString(bytes(p)) for p in payloads]
    return [event for event in found if event.learner_id == learner]


# -- pure rules --------------------------------------------------------------------------------
def test_levels_and_xp_rules() -> None:
    assert [service.level_for(xp) for xp in (0, 99, 100, 250)] == [1, 1, 2, 3]
    assert service.xp_for_run(successful=True, is_improved=False) == [(10, "Run finished")]
    assert service.xp_for_run(successful=False, is_improved=True) == [(2, "Run attempted")]
    assert sum(a for a, _ in service.xp_for_run(successful=True, is_improved=True)) == 25


def test_unlock_rule_evaluation() -> None:
    rule = UnlockRule(after_track="beginner", min_passed=2)
    assert service.is_unlocked(None, {}) is True
    assert service.is_unlocked(rule, {}) is False
    assert service.is_unlocked(rule, {"beginner": 1, "advanced": 5}) is False
    assert service.is_unlocked(rule, {"beginner": 2}) is True
    assert service.describe_rule(rule, {"beginner": "Beginner"}) == "Pass 2 challenges in Beginner"


# -- catalog -----------------------------------------------------------------------------------
def catalog_counts(db: Database) -> tuple[int, int]:
    with db.engine.connect() as conn:
        tracks = conn.execute(select(func.count()).select_from(Track)).scalar_one()
        challenges = conn.execute(select(func.count()).select_from(Challenge)).scalar_one()
    return tracks, challenges


def test_curriculum_load_is_idempotent_and_follows_the_files(db: Database, tmp_path: Path) -> None:
    root = tmp_path / "curriculum"
    shutil.copytree(default_curriculum_dir(), root)
    catalog = load_catalog(root)
    expected = (len(catalog.tracks), sum(len(t.challenges) for t in catalog.tracks))
    for _ in range(2):
        with db.session() as session:
            service.sync_catalog(session, catalog)
        assert catalog_counts(db) == expected

    challenge_file = root / "tracks/beginner/challenges/first-classifier/challenge.yaml"
    challenge_file.write_text(challenge_file.read_text().replace("Your first classifier", "Iris!"))
    shutil.rmtree(root / "tracks/intermediate/challenges/sales-forecast")
    with db.session() as session:
        service.sync_catalog(session, load_catalog(root))
        tracks = service.list_tracks(session, "")
    beginner, intermediate = tracks[0], tracks[1]
    assert beginner.challenges[0].title == "Iris!"
    assert "sales-forecast" not in [c.slug for c in intermediate.challenges]
    assert catalog_counts(db) == (expected[0], expected[1] - 1)


def test_list_tracks_locks_all_but_beginner_for_a_new_learner(
    catalog_db: Database, learner: str
) -> None:
    with catalog_db.session() as session:
        tracks = service.list_tracks(session, learner)
    assert [(t.slug, t.unlocked) for t in tracks] == [
        ("beginner", True),
        ("intermediate", False),
        ("advanced", False),
        ("production", False),
    ]
    assert tracks[0].unlock_rule == ""
    assert tracks[1].unlock_rule == "Reach 80% of the target in 5 challenges of Beginner"
    assert tracks[1].unlock_progress == "0 of 5 Beginner challenges at ≥80% of target"
    assert "packaged-model" in tracks[3].unlock_rule
    assert tracks[0].challenges[0].metric == "accuracy"
    assert [c.position for c in tracks[0].challenges] == sorted(
        c.position for c in tracks[0].challenges
    )


def test_passes_unlock_the_next_track(catalog_db: Database, learner: str) -> None:
    def unlocked() -> dict[str, bool]:
        with catalog_db.session() as session:
            return {t.slug: t.unlocked for t in service.list_tracks(session, learner)}

    with catalog_db.session() as session:
        assert service.record_challenge_pass(session, learner, "first-classifier", "r1", 0.93)
        # Passing the same challenge twice counts once.
        assert not service.record_challenge_pass(session, learner, "first-classifier", "r2", 1.0)
    assert unlocked()["intermediate"] is False
    with catalog_db.session() as session:
        for slug, score in (
            ("data-detective", 0.75),
            ("wine-scaling", 0.96),
            ("feature-craft", 0.97),
            ("diabetes-regression", 0.45),
        ):
            service.record_challenge_pass(session, learner, slug, "r3", score)
    assert unlocked() == {
        "beginner": True,
        "intermediate": True,
        "advanced": False,
        "production": False,
    }
    with catalog_db.session() as session, pytest.raises(AscentError):
        service.record_challenge_pass(session, learner, "no-such-challenge", "r4", 1.0)


# -- runs, XP, badges ----------------------------------------------------------------------------
def test_unknown_learner_has_zero_progress(db: Database, learner: str) -> None:
    result = progress(db, learner)
    assert (result.learner_id, result.xp, result.level, result.runs) == (learner, 0, 1, 0)
    assert list(result.badges) == []
    assert list(result.history) == []


def test_xp_totals_levels_and_history(catalog_db: Database, learner: str) -> None:
    record(catalog_db, make_run(learner, ok=False))
    record(catalog_db, make_run(learner, improved=True))
    for _ in range(7):
        record(catalog_db, make_run(learner))
    result = progress(catalog_db, learner)
    assert result.xp == 2 + 25 + 70 == 97
    assert result.level == 1
    assert result.runs == 9
    record(catalog_db, make_run(learner))
    result = progress(catalog_db, learner)
    assert (result.xp, result.level) == (107, 2)
    assert result.history[0].reason == "Run finished"
    assert [h.amount for h in result.history][-3:] == [15, 10, 2], "newest first"
    totals = [e.total for e in xp_events(catalog_db, learner)]
    assert totals == sorted(totals)
    assert totals[-1] == 107


def test_first_run_badge_exactly_once_and_only_for_a_working_run(
    catalog_db: Database, learner: str
) -> None:
    assert record(catalog_db, make_run(learner, ok=False)).badges == []
    assert record(catalog_db, make_run(learner)).badges == ["first-run"]
    assert record(catalog_db, make_run(learner)).badges == []
    result = progress(catalog_db, learner)
    assert [(b.slug, b.name) for b in result.badges] == [("first-run", "First model")]
    assert result.badges[0].awarded_at.seconds > 0
    assert [e.badge_slug for e in badge_events(catalog_db, learner)] == ["first-run"]


def test_duplicate_run_or_event_is_a_no_op(catalog_db: Database, learner: str) -> None:
    run = make_run(learner)
    assert record(catalog_db, run).applied
    assert not record(catalog_db, run).applied, "same run, new event id"
    event_id = str(uuid.uuid4())
    other = make_run(learner)
    for _ in range(2):
        process_once(
            catalog_db,
            "progress-runs",
            events.RUN_COMPLETED,
            event_id,
            lambda s: service.record_run(s, other, event_id),
        )
    result = progress(catalog_db, learner)
    assert (result.xp, result.runs) == (20, 2)
    assert len(xp_events(catalog_db, learner)) == 2


def test_run_on_unchanged_code_and_data_earns_nothing_again(
    catalog_db: Database, learner: str
) -> None:
    code = "import pandas as pd\nprint('ACCURACY: 0.9')\n"
    assert sum(a for a, _ in record(catalog_db, make_run(learner, code=code)).xp) == 10
    for _ in range(5):
        assert record(catalog_db, make_run(learner, code=code)).xp == []
    # The autosave's CRLF and a trailing blank line are not new code.
    assert record(catalog_db, make_run(learner, code=code.replace("\n", "\r\n") + "\n")).xp == []
    # New code, new data, or the same code now finishing are new: they pay again.
    assert record(catalog_db, make_run(learner, code=code + "print(1)\n")).xp
    other_data = make_run(learner, code=code)
    other_data.dataset_sha256 = "e" * 64
    assert record(catalog_db, other_data).xp
    assert record(catalog_db, make_run(learner, code=code, ok=False)).xp
    assert record(catalog_db, make_run(learner, code=code, ok=False)).xp == []
    result = progress(catalog_db, learner)
    assert result.xp == 10 + 10 + 10 + 2
    assert result.runs == 11, "every press still counts as a run"
    # Another learner running the same code is new for them.
    other = f"learner-{uuid.uuid4().hex}"
    assert record(catalog_db, make_run(other, code=code)).xp


def test_repeats_do_not_use_up_the_days_full_pay_runs(catalog_db: Database, learner: str) -> None:
    for _ in range(15):
        record(catalog_db, make_run(learner, code="same"))
    # The first "same" run was the day's first new run; nine more new ones pay in full.
    for _ in range(9):
        assert sum(a for a, _ in record(catalog_db, make_run(learner)).xp) == 10
    assert sum(a for a, _ in record(catalog_db, make_run(learner)).xp) == 5
    assert progress(catalog_db, learner).xp == 10 + 90 + 5


def test_run_without_owner_is_ignored(catalog_db: Database) -> None:
    assert record(catalog_db, make_run("")).applied is False


def test_get_progress_requires_a_learner(db: Database) -> None:
    with db.session() as session, pytest.raises(AscentError) as err:
        service.get_progress(session, "", 10)
    assert err.value.code == "invalid_argument"


def feedback(db: Database, learner: str, proposal: str, verdict: str) -> service.RunAward:
    with db.session() as session:
        return service.record_proposal_feedback(
            session, learner, proposal, verdict, str(uuid.uuid4()), datetime.now(UTC)
        )


def test_ai_badge_comes_from_an_accepted_proposal_not_from_running_one(
    catalog_db: Database, learner: str
) -> None:
    """Running an AI-improved experiment is not accepting it; a rating alone is not either;
    the first acceptance earns the badge once, and accepting the same proposal again (or
    another one) awards nothing more."""
    # Proposal ids unique per test run: the PostgreSQL schema outlives a run.
    first, second = f"p-{uuid.uuid4().hex}", f"p-{uuid.uuid4().hex}"
    record(catalog_db, make_run(learner, improved=True))
    assert "ai-assisted" not in {b.slug for b in progress(catalog_db, learner).badges}
    assert not feedback(catalog_db, learner, first, "").enqueued
    assert not feedback(catalog_db, learner, first, "rejected").enqueued
    award = feedback(catalog_db, learner, first, "accepted")
    assert award.badges == ["ai-assisted"]
    assert not feedback(catalog_db, learner, first, "accepted").applied
    assert not feedback(catalog_db, learner, second, "accepted").enqueued
    assert [e.badge_slug for e in badge_events(catalog_db, learner)].count("ai-assisted") == 1


def test_an_app_run_earns_no_xp_or_badge(catalog_db: Database, learner: str) -> None:
    app_run = make_run(learner)
    app_run.app_slug = "explorer"
    assert record(catalog_db, app_run).applied is False
    assert progress(catalog_db, learner).xp == 0
    assert record(catalog_db, make_run(learner)).applied is True
    assert progress(catalog_db, learner).xp > 0


# -- Deployments (issue 16) --
def deployed(db: Database, learner: str, deployment: str, version: int) -> service.RunAward:
    with db.session() as session:
        return service.record_deployment(
            session, learner, deployment, version, str(uuid.uuid4()), datetime.now(UTC)
        )


def test_first_deployment_badge_once_per_learner_not_per_version(
    catalog_db: Database, learner: str
) -> None:
    first, second = f"d-{uuid.uuid4().hex}", f"d-{uuid.uuid4().hex}"
    # A later version is recorded (its score counts for bars) but is no new model: no badge.
    assert not deployed(catalog_db, learner, first, 2).enqueued
    award = deployed(catalog_db, learner, first, 1)
    assert award.badges == ["first-deployment"]
    assert not deployed(catalog_db, learner, first, 1).applied  # the same event again
    assert not deployed(catalog_db, learner, second, 1).enqueued
    assert [e.badge_slug for e in badge_events(catalog_db, learner)].count("first-deployment") == 1
