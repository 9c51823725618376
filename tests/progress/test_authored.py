"""Authored challenges in the progress catalog: published versions appear beside the
curriculum's, archived ones leave the tracks, the events rebuild the same catalog when
replayed, and a graded run is judged by the version it was graded on."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from ascent.events.v1 import authoring_pb2
from ascent.types.v1 import run_pb2
from sqlalchemy.orm import Session

from services.common.db import Database
from services.common.outbox import process_once
from services.progress import service
from services.progress.config import default_curriculum_dir
from services.progress.curriculum import load_catalog
from services.progress.handlers import AUTHORING_DURABLE
from tests.support.postgres import service_database

SLUG = "authored-one"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A private PostgreSQL schema: an authored challenge left in the shared one would show up
    in the catalog tests of every other module."""
    with service_database(request.param, tmp_path, "progress") as database:
        yield database


def published(
    version: int, threshold: float, track: str = "beginner"
) -> authoring_pb2.PublishedChallenge:
    return authoring_pb2.PublishedChallenge(
        slug=SLUG,
        version=version,
        title=f"Authored v{version}",
        summary="s",
        lesson_md="# L",
        metric="accuracy",
        pass_threshold=threshold,
        task_type="classification",
        target="y",
        track_slug=track,
        position=99,
        hints=["h1"],
        starter_code="print(1)",
    )


def catalog(db: Database, learner: str = "") -> list[tuple[str, str, int]]:
    tracks = db._work(lambda s: service.list_tracks(s, learner))
    return [(t.slug, c.slug, c.version) for t in tracks for c in t.challenges]


def fresh(tmp_path_db: Database) -> Database:
    tmp_path_db._work(lambda s: service.sync_catalog(s, load_catalog(default_curriculum_dir())))
    return tmp_path_db


# An authoring event as the consumer sees it: a published version, or an archived slug.
AuthoringItem = authoring_pb2.PublishedChallenge | str


def feed(db: Database, stream: list[tuple[str, AuthoringItem]]) -> None:
    for event_id, item in stream:

        def effect(session: Session, item: AuthoringItem = item) -> bool:
            if isinstance(item, authoring_pb2.PublishedChallenge):
                return service.apply_published(session, item)
            return service.apply_archived(session, item)

        process_once(db, AUTHORING_DURABLE, "authoring.challenge.x", event_id, effect)


def test_published_versions_archive_and_replay(db: Database) -> None:
    fresh(db)
    before = catalog(db)
    stream: list[tuple[str, AuthoringItem]] = [
        (str(uuid.uuid4()), published(1, 0.8)),
        (str(uuid.uuid4()), published(2, 0.9)),
    ]
    feed(db, stream)
    after = catalog(db)
    assert ("beginner", SLUG, 2) in after and len(after) == len(before) + 1
    detail = db._work(lambda s: service.get_challenge(s, SLUG, "ada")).challenge
    assert detail.challenge.source == "authoring" and detail.challenge.pass_threshold == 0.9
    assert list(detail.hints) == ["h1"]
    # Redelivered events change nothing; an unknown track or a curriculum slug is refused.
    feed(db, stream)
    assert catalog(db) == after
    assert not db._work(lambda s: service.apply_published(s, published(3, 0.5, "nowhere")))
    curriculum_slug = before[0][1]
    clash = published(1, 0.1)
    clash.slug = curriculum_slug
    assert not db._work(lambda s: service.apply_published(s, clash))
    assert catalog(db) == after

    stream.append((str(uuid.uuid4()), SLUG))
    feed(db, stream[-1:])
    assert catalog(db) == before
    with pytest.raises(Exception, match="not found"):
        db._work(lambda s: service.get_challenge(s, SLUG, "ada"))


def test_replay_into_an_empty_catalog_gives_the_same_tracks(db: Database, tmp_path: Path) -> None:
    stream: list[tuple[str, AuthoringItem]] = [
        (str(uuid.uuid4()), published(1, 0.8)),
        (str(uuid.uuid4()), SLUG),
        (str(uuid.uuid4()), published(2, 0.7)),
    ]
    fresh(db)
    feed(db, stream)
    other = Database(f"sqlite:///{tmp_path / 'replay.db'}")
    other.migrate("progress", "services.progress.migrations")
    fresh(other)
    feed(other, stream)
    assert catalog(other) == catalog(db) and ("beginner", SLUG, 2) in catalog(db)
    other.dispose()


def graded_run(version: int, score: float, threshold: float) -> run_pb2.Run:
    run = run_pb2.Run(
        id=str(uuid.uuid4()),
        owner_id="ada",
        session_id="s",
        status="ok",
        challenge_slug=SLUG,
        challenge_version=version,
    )
    run.grade.CopyFrom(
        run_pb2.Grade(
            challenge_slug=SLUG,
            metric="accuracy",
            status="graded",
            public_score=score,
            pass_threshold=threshold,
            passed=score >= threshold,
            challenge_version=version,
        )
    )
    return run


def test_runs_are_judged_by_their_version_and_wait_for_the_catalog(db: Database) -> None:
    fresh(db)
    early = graded_run(1, 0.85, 0.8)
    # The run came before its challenge's published event: retried later, nothing stored.
    with pytest.raises(service.CatalogNotReady):
        db._work(lambda s: service.record_run(s, early, "e1"))
    feed(db, [(str(uuid.uuid4()), published(1, 0.8)), (str(uuid.uuid4()), published(2, 0.95))])
    # v1's threshold (0.8) applies to a v1 run although v2 asks 0.95.
    award = db._work(lambda s: service.record_run(s, early, "e1"))
    assert award.passed == [SLUG]
