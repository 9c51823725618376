"""The deployment rules of issue 16 (curriculum/README.md, "Deployed models that meet their
bar"): the pure rule, the curriculum format, and progress on a real database — the Advanced
track's unlock, the Production ML Engineer badge, a challenge judged on a deployment, and
redelivery changing nothing."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from ascent.types.v1 import run_pb2
from sqlalchemy import func, select

from services.common import events
from services.common.db import Database
from services.common.outbox import outbox
from services.progress import rules, service
from services.progress.config import default_curriculum_dir
from services.progress.curriculum import CurriculumError, load_catalog
from tests.progress.test_service import badge_events, make_run, progress, record

BAR = {"accuracy": 0.8, "r2": 0.5}
PLATFORM, REPORTED = "platform", "reported"


def score(
    deployment: str, metric: str, value: float, source: str = PLATFORM, run: str = ""
) -> rules.DeployedScore:
    return rules.DeployedScore(deployment, metric, value, source, run or f"run-{deployment}")


# -- the pure rule ---------------------------------------------------------------------------
def test_a_version_meets_the_bar_only_with_a_platform_score_of_a_named_metric() -> None:
    assert rules.meets_bar(BAR, score("d", "accuracy", 0.8))  # at the bar counts
    assert rules.meets_bar(BAR, score("d", "r2", 0.61))
    assert not rules.meets_bar(BAR, score("d", "accuracy", 0.79))
    # What the learner's code printed is a claim, not evidence.
    assert not rules.meets_bar(BAR, score("d", "accuracy", 0.99, REPORTED))
    # A metric the bar does not name (an RMSE has no fixed scale) never counts.
    assert not rules.meets_bar(BAR, score("d", "rmse", 0.01))
    assert not rules.meets_bar(BAR, rules.DeployedScore("d", "", None, ""))


def test_deployments_count_once_whatever_their_versions_and_runs() -> None:
    versions = [
        score("a", "accuracy", 0.7, run="r1"),  # v1 below the bar …
        score("a", "accuracy", 0.85, run="r2"),  # … v2 above: the deployment counts, once
        score("a", "accuracy", 0.9, run="r3"),
        score("b", "r2", 0.4, run="r4"),  # below
        score("c", "accuracy", 0.95, run="r5"),
    ]
    assert rules.deployed_meeting_bar(BAR, versions) == 2
    # One run deployed three times is one model, not three.
    same_run = [score(d, "accuracy", 0.9, run="r9") for d in ("x", "y", "z")]
    assert rules.deployed_meeting_bar(BAR, same_run) == 1


def test_the_rule_unlocks_at_three_and_says_how_far_the_learner_is() -> None:
    catalog = load_catalog(default_curriculum_dir())
    advanced = next(t for t in catalog.tracks if t.slug == "advanced")
    rule = advanced.unlock
    assert rule is not None and rule.deployed_models == 3
    two = rules.LearnerFacts(
        best={},
        passed=frozenset(),
        deployed=(score("a", "accuracy", 0.9), score("b", "f1_score", 0.81)),
    )
    three = rules.LearnerFacts(
        best={}, passed=frozenset(), deployed=(*two.deployed, score("c", "r2", 0.5))
    )
    assert not rules.is_unlocked(rule, None, [], two)
    assert rules.is_unlocked(rule, None, [], three)
    assert rules.unlock_progress(rule, {}, [], two) == "2 of 3 deployed models meet the bar"
    text = rules.describe_rule(rule, {})
    assert text.startswith("Deploy 3 models that meet the bar")
    assert "accuracy ≥ 0.8" in text and "R² ≥ 0.5" in text


def test_a_deployment_judged_challenge_needs_the_platform_pass_and_the_latency() -> None:
    judged = score("d", "accuracy", 0.9)
    assert rules.deployment_passes(5.0, judged, "accuracy", True, 0.4)
    assert not rules.deployment_passes(5.0, judged, "accuracy", True, 5.1)  # too slow
    assert not rules.deployment_passes(5.0, judged, "accuracy", False, 0.4)  # grade failed
    assert not rules.deployment_passes(5.0, judged, "f1_score", True, 0.4)  # other metric
    printed = score("d", "accuracy", 0.99, REPORTED)
    assert not rules.deployment_passes(5.0, printed, "accuracy", True, 0.4)


# -- the curriculum format ---------------------------------------------------------------------
@pytest.fixture
def curriculum(tmp_path: Path) -> Path:
    root = tmp_path / "curriculum"
    shutil.copytree(default_curriculum_dir(), root)
    return root


def _edit(path: Path, **changes: object) -> None:
    data = yaml.safe_load(path.read_text())
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def test_a_bar_names_only_fixed_scale_metrics(curriculum: Path) -> None:
    track = curriculum / "tracks/advanced/track.yaml"
    _edit(track, unlock={"deployed_models": 3, "deployed_bar": {"rmse": 3.0}})
    with pytest.raises(CurriculumError, match=r"advanced/track\.yaml: unlock: deployed_bar"):
        load_catalog(curriculum)
    _edit(track, unlock={"deployed_models": 3})
    with pytest.raises(CurriculumError, match="missing required field 'deployed_bar'"):
        load_catalog(curriculum)


def test_a_bar_on_a_badge_without_deployments_is_refused(curriculum: Path) -> None:
    badges = curriculum / "badges.yaml"
    data = yaml.safe_load(badges.read_text())
    data["badges"][0]["criterion"] = {"runs": 1, "bar": {"accuracy": 0.8}}
    badges.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(CurriculumError, match="'bar' only applies"):
        load_catalog(curriculum)


# -- on a real database ----------------------------------------------------------------------
@pytest.fixture
def catalog_db(db: Database) -> Database:
    with db.session() as session:
        service.sync_catalog(session, load_catalog(default_curriculum_dir()))
    return db


def deploy(
    db: Database,
    learner: str,
    deployment: str,
    version: int = 1,
    *,
    metric: str = "accuracy",
    value: float = 0.9,
    source: str = PLATFORM,
    passed: bool = True,
    challenge: str = "first-classifier",
    p50_ms: float = 0.2,
    run: str = "",
    event_id: str = "",
) -> service.RunAward:
    facts = service.DeployedFacts(
        metric=metric,
        score=value,
        score_source=source,
        passed=passed,
        challenge_slug=challenge,
        run_id=run or f"run-{deployment}-{version}",
        p50_ms=p50_ms,
    )
    with db.session() as session:
        return service.record_deployment(
            session,
            learner,
            deployment,
            version,
            event_id or str(uuid.uuid4()),
            datetime.now(UTC),
            facts,
        )


def drift(db: Database, learner: str, deployment: str, feature: str = "x0") -> service.RunAward:
    with db.session() as session:
        return service.record_drift_alert(
            session, learner, deployment, 1, feature, str(uuid.uuid4()), datetime.now(UTC)
        )


def tracks(db: Database, learner: str) -> dict[str, object]:
    with db.session() as session:
        return {t.slug: t for t in service.list_tracks(session, learner)}


def unlock_events(db: Database) -> int:
    with db.engine.connect() as conn:
        stmt = select(func.count()).where(outbox.c.subject == events.TRACK_UNLOCKED)
        return int(conn.execute(stmt).scalar_one())


def test_three_deployments_meeting_the_bar_unlock_advanced(catalog_db: Database) -> None:
    learner = f"learner-{uuid.uuid4().hex}"
    assert deploy(catalog_db, learner, "d1").badges == ["first-deployment"]
    deploy(catalog_db, learner, "d2", value=0.75)  # below the bar
    deploy(catalog_db, learner, "d3", source=REPORTED, value=0.99)  # printed, not judged
    advanced = tracks(catalog_db, learner)["advanced"]
    assert not advanced.unlocked  # type: ignore[attr-defined]
    assert advanced.unlock_progress == "1 of 3 deployed models meet the bar"  # type: ignore[attr-defined]
    assert (advanced.deployed_meeting_bar, advanced.deployed_needed) == (1, 3)  # type: ignore[attr-defined]
    assert advanced.unlock_app == "deploy"  # type: ignore[attr-defined]

    # A better second version of d2 makes that deployment count.
    deploy(catalog_db, learner, "d2", 2, metric="r2", value=0.62, challenge="feature-craft")
    award = deploy(catalog_db, learner, "d4", metric="f1_score", value=0.93)
    assert award.unlocked == ["advanced"]
    assert tracks(catalog_db, learner)["advanced"].unlocked  # type: ignore[attr-defined]
    # Redelivered (same deployment and version): nothing changes, nothing is published.
    before = unlock_events(catalog_db)
    assert not deploy(catalog_db, learner, "d4", metric="f1_score", value=0.93).applied
    assert unlock_events(catalog_db) == before
    assert progress(catalog_db, learner).runs == 0  # deployments are not runs


def test_production_ml_engineer_needs_three_bars_and_a_drift_alert(catalog_db: Database) -> None:
    learner = f"learner-{uuid.uuid4().hex}"
    assert drift(catalog_db, learner, "d1").badges == []  # the alert alone earns nothing
    for name in ("d1", "d2", "d3"):
        award = deploy(catalog_db, learner, name)
    assert "production-ml-engineer" in award.badges
    assert not drift(catalog_db, learner, "d1").applied  # the same alert again
    drift(catalog_db, learner, "d2", "x1")
    deploy(catalog_db, learner, "d5")
    slugs = [e.badge_slug for e in badge_events(catalog_db, learner)]
    assert slugs.count("production-ml-engineer") == 1
    assert slugs.count("first-deployment") == 1
    # Another learner's drift alert is theirs.
    other = f"learner-{uuid.uuid4().hex}"
    for name in ("o1", "o2", "o3"):
        assert "production-ml-engineer" not in deploy(catalog_db, other, name).badges


def test_a_challenge_judged_on_a_deployment_passes_only_through_one(
    catalog_db: Database,
) -> None:
    learner = f"learner-{uuid.uuid4().hex}"
    slug = "serve-under-budget"
    # A graded submission well over the bar is feedback (a best score), not a pass.
    submission = make_run(learner)
    submission.challenge_slug = slug
    submission.grade.CopyFrom(
        run_pb2.Grade(challenge_slug=slug, status="graded", public_score=0.95, passed=True)
    )
    assert record(catalog_db, submission).passed == []
    assert progress(catalog_db, learner).results[0].best_score == pytest.approx(0.95)
    # Too slow, failing, or only printed: no pass.
    deploy(catalog_db, learner, "s1", challenge=slug, p50_ms=7.5)
    deploy(catalog_db, learner, "s2", challenge=slug, passed=False, value=0.8)
    deploy(catalog_db, learner, "s3", challenge=slug, source=REPORTED)
    assert progress(catalog_db, learner).challenges_passed == 0
    award = deploy(catalog_db, learner, "s4", challenge=slug, value=0.91, p50_ms=0.3)
    assert award.passed == [slug]
    assert not deploy(catalog_db, learner, "s5", challenge=slug, value=0.95).passed
    assert progress(catalog_db, learner).challenges_passed == 1
