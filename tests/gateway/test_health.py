"""/healthz with nothing but NATS and the database running, and the static/docs routes."""

from __future__ import annotations

import asyncio

from ascent.events.v1 import gateway_pb2

from services.common import events, topology
from services.common.outbox import enqueue
from tests.gateway.conftest import GatewayUnderTest
from tests.support.polling import wait_until


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


async def test_healthz_reports_outbox_lag_and_dead_letters(gateway: GatewayUnderTest) -> None:
    """Issue 18 §2: /healthz said ok while a run event blocked every later one."""
    gw = gateway.gw
    await asyncio.wait_for(gw.bus.connected.wait(), 10)
    data = (await gateway.client.get("/healthz")).json()["data"]
    assert set(data["outbox"]) == {"gateway", *topology.NAMES}
    assert all(data["outbox"][name] is None for name in topology.NAMES), "services are down"
    assert data["outbox"]["gateway"]["deadLettered"] == 0 and data["alerts"] == []

    # An event nats-server (1 MiB max_payload) can never take, then an ordinary one.
    with gw.db.session() as session:
        big = gateway_pb2.SessionCreated(session_id="s" * 1_200_000, owner_id="o")
        big_id = enqueue(session, "gateway", events.SESSION_CREATED, big)
        enqueue(session, "gateway", events.SESSION_CREATED, gateway_pb2.SessionCreated())
    gw.relay.wake()
    await wait_until(lambda: gw.relay.pending() == 0, timeout=20)

    data = (await gateway.client.get("/healthz")).json()["data"]
    own = data["outbox"]["gateway"]
    assert own["pending"] == 0 and own["deadLettered"] == 1
    assert own["lastDeadLetter"]["eventId"] == big_id
    assert own["lastDeadLetter"]["subject"] == events.SESSION_CREATED
    assert any(a.startswith("gateway: 1 event(s) dead-lettered") for a in data["alerts"])
