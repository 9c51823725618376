"""Gateway fixtures: the real app (lifespan included) on a tmp data dir and a real NATS.

No peer service runs here, so every service address points at a closed port: the gateway
must answer with clean "unavailable" errors, which several tests check on purpose.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway.app import create_app
from gateway.config import Settings
from gateway.context import Gateway
from services.common import topology
from services.common.config import CommonSettings
from tests.support.nats_server import NatsServer, free_port

SECRET = "test-secret-9f4c2b7e1d8a6c3f5e0b9d2a7c4e1f8b"
PASSWORD = "correct horse 42"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


@dataclass
class GatewayUnderTest:
    app: FastAPI
    client: httpx.AsyncClient
    common: CommonSettings
    settings: Settings

    @property
    def gw(self) -> Gateway:
        gateway: Gateway = self.app.state.gateway
        return gateway

    def new_client(self) -> httpx.AsyncClient:
        """Another browser/API client with its own cookie jar."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://testserver"
        )


def make_common(tmp_path: Path, nats_url: str) -> CommonSettings:
    closed = {f"{name}_addr": f"127.0.0.1:{free_port()}" for name in topology.NAMES}
    # No service is listening at these addresses: the gateway must cope with every peer down.
    return CommonSettings(data_dir=tmp_path / "data", nats_url=nats_url).model_copy(update=closed)


def staff_file(folder: Path, staff: dict[str, str]) -> Path:
    """An ASCENT_GATEWAY_STAFF_FILE: username -> role, each logging in with PASSWORD."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "staff-password").write_text(PASSWORD)
    entries = [
        {"username": name, "role": role, "password_file": "staff-password"}
        for name, role in staff.items()
    ]
    path = folder / "staff.json"
    path.write_text(json.dumps(entries))
    return path


@asynccontextmanager
async def running_gateway(
    tmp_path: Path, nats_url: str, staff: dict[str, str] | None = None, **overrides: Any
) -> AsyncIterator[GatewayUnderTest]:
    """The gateway app; `staff` (username -> role) are created at start with PASSWORD."""
    if staff:
        overrides.setdefault("staff_file", staff_file(tmp_path / "staff", staff))
    options: dict[str, Any] = {
        "secret_key": SECRET,
        "cookie_secure": False,
        "rpc_timeout_seconds": 2.0,
        "execute_timeout_seconds": 5.0,
        "improve_timeout_seconds": 5.0,
        "leaderboard_wait_ms": 100,
    }
    # Settings ignores unknown names (it reads the environment): a misspelt or stale override
    # would silently test the defaults instead, so it is refused here.
    unknown = sorted(set(overrides) - set(Settings.model_fields))
    if unknown:
        raise TypeError(f"unknown gateway setting(s): {', '.join(unknown)}")
    options.update(overrides)
    settings = Settings(**options)
    common = make_common(tmp_path, nats_url)
    app = create_app(settings, common)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            yield GatewayUnderTest(app=app, client=client, common=common, settings=settings)


@pytest.fixture
async def gateway(tmp_path: Path, nats_server: NatsServer) -> AsyncIterator[GatewayUnderTest]:
    async with running_gateway(tmp_path, nats_server.url) as under_test:
        yield under_test


@pytest.fixture
def make_gateway(tmp_path: Path, nats_server: NatsServer) -> Callable[..., Any]:
    """A gateway with custom settings (use as `async with make_gateway(max_...=...)`;
    `staff={"name": "instructor"}` for staff accounts)."""

    def factory(staff: dict[str, str] | None = None, **overrides: Any) -> Any:
        return running_gateway(tmp_path, nats_server.url, staff, **overrides)

    return factory


async def register(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> dict[str, Any]:
    response = await client.post(
        "/api/auth/register", json={"username": username, "password": password}
    )
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


async def token_for(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    response = await client.post(
        "/api/auth/token", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["token"])


async def bearer(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    """Registers `username` (unless it is a staff account the gateway created) and returns
    its Authorization header."""
    response = await client.post(
        "/api/auth/register", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code in (201, 409), response.text
    return {"Authorization": f"Bearer {await token_for(client, username)}"}


def csrf_from(html: str) -> str:
    match = CSRF_META.search(html)
    assert match, "page carries no CSRF token"
    return match.group(1)


async def form_login(client: httpx.AsyncClient, username: str) -> str:
    """Logs an existing account (a staff one) in through the form; the session's CSRF token."""
    page = await client.get("/login")
    response = await client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 303, response.text
    landing = await client.get("/notebook", follow_redirects=True)
    return csrf_from(landing.text)


async def browser_login(client: httpx.AsyncClient, username: str) -> str:
    """Registers through the HTML form like a browser; returns the session's CSRF token."""
    page = await client.get("/register")
    csrf = csrf_from(page.text)
    response = await client.post(
        "/register", data={"username": username, "password": PASSWORD, "csrf_token": csrf}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/notebook"
    landing = await client.get("/notebook", follow_redirects=True)
    assert landing.status_code == 200
    return csrf_from(landing.text)
