"""Full-stack fixtures: the same supervisor `make run` uses, on free ports and a tmp data dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.supervisor.stack import SERVICES, Stack, StackConfig
from tests.support.postgres import drop_schema, fresh_schema_url, test_database_url


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("ascent-data")
    env: dict[str, str] = {}
    base_url = test_database_url()
    schemas: list[str] = []
    if base_url:
        # CI: each service owns its tables in its own private PostgreSQL schema, as in
        # docker-compose (one schema per service, never shared).
        for name in (*SERVICES, "gateway"):
            url, schema = fresh_schema_url(base_url)
            env[f"ASCENT_{name.upper()}_DATABASE_URL"] = url
            schemas.append(schema)
    config = StackConfig.ephemeral(
        data_dir,
        extra_env={
            **env,
            "ASCENT_COOKIE_SECURE": "false",
            "ASCENT_LOG_LEVEL": "INFO",
            # Keeps the endless-loop case short; the limit itself is what is tested.
            "ASCENT_EXECUTION_WALL_SECONDS": "4",
            "ASCENT_EXECUTION_CPU_SECONDS": "4",
        },
    )
    running = Stack(config)
    try:
        running.start(timeout=120)
    except Exception:
        running.stop()
        for log in sorted((data_dir / "logs").glob("*.log")):
            print(f"==== {log.name}\n{log.read_text()[-3000:]}")
        raise
    yield running
    running.stop()
    for schema in schemas:
        drop_schema(base_url, schema)


def register(client: httpx.Client, username: str, password: str = "correct horse 42") -> str:
    response = client.post("/api/auth/register", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    response = client.post("/api/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["token"])


@pytest.fixture
def api(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, timeout=120) as client:
        yield client
