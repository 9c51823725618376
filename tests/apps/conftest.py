"""A full stack for the apps' end-to-end tests (the supervisor `make run` uses)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from services.supervisor.stack import Stack
from tests.support.fullstack import running_stack

REPO = Path(__file__).resolve().parents[2]


def open_catalog(directory: Path) -> Path:
    """curriculum/apps.yaml with every app open: these tests are about the apps, not about
    unlocking them (the unlock rules have their own tests)."""
    source = yaml.safe_load((REPO / "curriculum" / "apps.yaml").read_text(encoding="utf-8"))
    for app in source["apps"]:
        app["unlock"] = "open"
    path = directory / "apps.yaml"
    path.write_text(yaml.safe_dump(source), encoding="utf-8")
    return path


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("ascent-apps")
    env = {
        "ASCENT_EXECUTION_WALL_SECONDS": "60",
        "ASCENT_APPS_CATALOG": str(open_catalog(data_dir)),
    }
    with running_stack(data_dir, env) as running:
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


def completed_analysis(
    api: httpx.Client,
    auth: dict[str, str],
    slug: str,
    session_id: str,
    options: dict[str, Any],
) -> dict[str, Any]:
    """Runs one analysis of app `slug` through the API and asserts it completed."""
    response = api.post(
        f"/api/apps/{slug}/analyses",
        json={"sessionId": session_id, "options": options},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    analysis = response.json()["data"]
    assert analysis["status"] == "completed", analysis
    return dict(analysis)
