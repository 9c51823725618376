"""Full-stack fixtures: the same supervisor `make run` uses, on free ports and a tmp data dir."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.supervisor.stack import Stack
from tests.support.fullstack import running_stack

# Staff accounts the gateway creates at start (password "correct horse 42"; "instructor" is
# the authoring tests' account, as in tests/support/fullstack.py).
INSTRUCTORS = ("instructor", "instructor-it", "instructor2-it")
ADMIN = "admin-it"
DEMO_ADMIN = "admin-demo-it"  # with a generated password, as `make run`'s demo admin
STAFF = {
    **dict.fromkeys(INSTRUCTORS, "instructor"),
    ADMIN: "admin",
    DEMO_ADMIN: "admin",
}


OUTPUT_QUOTA_BYTES = 12 * 1024 * 1024


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("ascent-data")
    # Keeps the endless-loop case short; the limit itself is what is tested.
    limits = {
        "ASCENT_EXECUTION_WALL_SECONDS": "4",
        "ASCENT_EXECUTION_CPU_SECONDS": "4",
        # tests/integration/test_quotas.py fills it with ~1 MB runs; no other test of one
        # learner stores this much output.
        "ASCENT_GATEWAY_QUOTA_OUTPUT_BYTES_PER_DAY": str(OUTPUT_QUOTA_BYTES),
    }
    with running_stack(data_dir, limits, STAFF, generated=(DEMO_ADMIN,)) as running:
        yield running


def login(client: httpx.Client, username: str, password: str = "correct horse 42") -> str:
    """A bearer token of an existing account (the staff ones)."""
    response = client.post("/api/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["token"])


def register(client: httpx.Client, username: str, password: str = "correct horse 42") -> str:
    response = client.post("/api/auth/register", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    response = client.post("/api/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["token"])


def learner(api: httpx.Client, prefix: str) -> tuple[dict[str, str], str]:
    """A new learner's Authorization header and notebook session."""
    token = register(api, f"{prefix}-{uuid.uuid4().hex[:8]}")
    auth = {"Authorization": f"Bearer {token}"}
    session = api.post("/api/sessions", json={}, headers=auth)
    assert session.status_code == 201, session.text
    return auth, str(session.json()["data"]["id"])


@pytest.fixture
def api(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, timeout=120) as client:
        yield client
