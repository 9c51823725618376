from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.datasets import DatasetStore
from services.common.db import Database
from services.recommender.service import RecommenderService
from tests.support.postgres import BACKENDS, service_database


def migrated(url: str) -> Database:
    db = Database(url)
    db.migrate("recommender", "services.recommender.migrations")
    return db


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The recommender schema on SQLite, and in a private PostgreSQL schema (dropped
    afterwards) when the run has PostgreSQL."""
    with service_database(request.param, tmp_path, "recommender") as database:
        yield database


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A private, empty knowledge base (tests that need "nothing known yet")."""
    database = migrated(f"sqlite:///{tmp_path / 'empty.db'}")
    yield database
    database.dispose()


@pytest.fixture
def store(tmp_path: Path) -> DatasetStore:
    return DatasetStore(tmp_path / "datasets")


@pytest.fixture
def service(store: DatasetStore) -> RecommenderService:
    # Greedy and seeded: ranking assertions must not depend on a Thompson draw.
    return RecommenderService(store, seed=0, explore=0.0)
