"""A full stack for the apps' end-to-end tests (the supervisor `make run` uses)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.supervisor.stack import Stack
from tests.support.fullstack import running_stack


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("ascent-apps")
    with running_stack(data_dir, {"ASCENT_EXECUTION_WALL_SECONDS": "60"}) as running:
        yield running


@pytest.fixture
def api(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, timeout=120) as client:
        yield client


def register(client: httpx.Client, username: str, password: str = "correct horse 42") -> str:
    response = client.post("/api/auth/register", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    response = client.post("/api/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["token"])
