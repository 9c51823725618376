"""A full stack for the serving end-to-end tests: the supervisor `make run` uses, every app
open (tests/apps/conftest.open_catalog), and a rate limit one test reaches for sure: a
burst of RATE_BURST requests refilled at one per 5 s (a slow machine cannot outrun it); the
burst holds the A/B test's 200+ predictions and simulated requests on one deployment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.supervisor.stack import Stack
from tests.apps.conftest import open_catalog
from tests.support.fullstack import running_stack

RATE_BURST = 300


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("ascent-serving")
    env = {
        "ASCENT_EXECUTION_WALL_SECONDS": "60",
        "ASCENT_APPS_CATALOG": str(open_catalog(data_dir)),
        "ASCENT_SERVING_RATE_PER_SECOND": "0.2",
        "ASCENT_SERVING_RATE_BURST": str(RATE_BURST),
        "ASCENT_SERVING_LOG_FLUSH_SECONDS": "0.2",
    }
    with running_stack(data_dir, env) as running:
        yield running


@pytest.fixture
def api(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, timeout=180) as client:
        yield client
