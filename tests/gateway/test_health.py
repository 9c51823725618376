"""/healthz with nothing but NATS and the database running, and the static/docs routes."""

from __future__ import annotations

import asyncio

from services.common import topology
from tests.gateway.conftest import GatewayUnderTest


async def test_healthz_reports_unavailable_services(gateway: GatewayUnderTest) -> None:
    await asyncio.wait_for(gateway.gw.bus.connected.wait(), 10)
    response = await gateway.client.get("/healthz")
    assert response.status_code == 503
    data = response.json()["data"]
    assert data["status"] == "degraded"
    services = data["services"]
    assert set(services) == {*topology.NAMES, "nats", "database"}
    for name in topology.NAMES:
        assert services[name] == "UNAVAILABLE"
    assert services["nats"] == "connected"
    assert services["database"] == "ok"


async def test_openapi_and_docs(gateway: GatewayUnderTest) -> None:
    spec = await gateway.client.get("/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    for path in (
        "/api/auth/register",
        "/api/auth/token",
        "/api/sessions",
        "/api/sessions/{session_id}",
        "/api/sessions/{session_id}/code",
        "/api/sessions/{session_id}/dataset",
        "/api/runs",
        "/api/runs/{session_id}",
        "/api/ai/improve",
        "/api/me/progress",
        "/api/tracks",
        "/healthz",
    ):
        assert path in paths, path
    assert not any(path.startswith("/notebook") for path in paths), "pages stay out of the API"
    assert (await gateway.client.get("/docs")).status_code == 200


async def test_static_assets_are_served_when_built(gateway: GatewayUnderTest) -> None:
    if not gateway.settings.static_dir.is_dir():
        response = await gateway.client.get("/static/main.js")
        assert response.status_code == 404
        return
    for asset in ("main.js", "main.css"):
        response = await gateway.client.get(f"/static/{asset}")
        assert response.status_code == 200, asset
