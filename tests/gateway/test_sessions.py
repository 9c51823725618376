"""Notebook sessions through the JSON API, and their events on NATS."""

from __future__ import annotations

from typing import Any

import nats
from ascent.events.v1 import gateway_pb2

from services.common import events
from tests.gateway.conftest import GatewayUnderTest, bearer
from tests.support.polling import wait_until


async def next_event(nats_url: str, subject: str, timeout: float = 10.0) -> bytes:
    """The first message on `subject` in the ASCENT stream (read with an ephemeral consumer)."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()

        async def first() -> bytes:
            sub = await js.pull_subscribe(subject, stream="ASCENT")
            messages = await sub.fetch(1, timeout=1)
            return bytes(messages[0].data)

        return await wait_until(
            first, timeout=timeout, interval=0.2, ignoring=(Exception,), what=f"{subject} event"
        )
    finally:
        await nc.close()


async def test_create_and_get_session(gateway: GatewayUnderTest) -> None:
    headers = await bearer(gateway.client, "ada")
    response = await gateway.client.post("/api/sessions", json={"name": "Iris"}, headers=headers)
    assert response.status_code == 201, response.text
    created = response.json()["data"]
    assert created["name"] == "Iris"
    assert "load_iris" in created["code"]
    assert "ACCURACY" in created["code"]
    assert created["dataset"] is None
    assert created["createdAt"].endswith("Z")

    got = await gateway.client.get(f"/api/sessions/{created['id']}", headers=headers)
    assert got.status_code == 200
    data = got.json()["data"]
    assert data["id"] == created["id"]
    assert data["code"] == created["code"]
    # No leaderboard runs here: the session still loads, with the reason given.
    assert data["runs"] == []
    assert "leaderboard" in data["runsError"]

    listed = await gateway.client.get("/api/sessions", headers=headers)
    assert [s["id"] for s in listed.json()["data"]] == [created["id"]]


async def test_session_without_body_gets_a_default_name(gateway: GatewayUnderTest) -> None:
    headers = await bearer(gateway.client, "alan")
    response = await gateway.client.post("/api/sessions", headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["name"].startswith("Notebook ")


async def test_session_created_event_is_published(gateway: GatewayUnderTest) -> None:
    headers = await bearer(gateway.client, "evelyn")
    session = (await gateway.client.post("/api/sessions", json={}, headers=headers)).json()["data"]
    data = await next_event(gateway.common.nats_url, events.SESSION_CREATED)
    event = events.decode(events.SESSION_CREATED, data)
    assert isinstance(event, gateway_pb2.SessionCreated)
    assert event.session_id == session["id"]
    assert event.meta.producer == "gateway"
    assert event.meta.event_id


async def test_another_learners_session_is_404(gateway: GatewayUnderTest) -> None:
    owner = await bearer(gateway.client, "owner")
    other = await bearer(gateway.client, "other")
    session = (await gateway.client.post("/api/sessions", json={}, headers=owner)).json()["data"]
    body: dict[str, Any] | None
    for method, path, body in [
        ("GET", f"/api/sessions/{session['id']}", None),
        ("PUT", f"/api/sessions/{session['id']}/code", {"code": "print(1)"}),
        ("GET", f"/api/runs/{session['id']}", None),
        ("POST", "/api/runs", {"sessionId": session["id"], "code": "print(1)"}),
        ("POST", "/api/ai/improve", {"sessionId": session["id"]}),
    ]:
        response = await gateway.client.request(method, path, headers=other, json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json() == {"error": {"code": "not_found", "message": "Session not found."}}
    missing = await gateway.client.get("/api/sessions/does-not-exist", headers=owner)
    assert missing.status_code == 404


async def test_save_code(gateway: GatewayUnderTest) -> None:
    headers = await bearer(gateway.client, "guido")
    session = (await gateway.client.post("/api/sessions", json={}, headers=headers)).json()["data"]
    response = await gateway.client.put(
        f"/api/sessions/{session['id']}/code", json={"code": "print('hi')\n"}, headers=headers
    )
    assert response.status_code == 200
    got = await gateway.client.get(f"/api/sessions/{session['id']}", headers=headers)
    assert got.json()["data"]["code"] == "print('hi')\n"

    too_long = "#" * (gateway.settings.max_code_chars + 1)
    response = await gateway.client.put(
        f"/api/sessions/{session['id']}/code", json={"code": too_long}, headers=headers
    )
    assert response.status_code == 400
    assert "too long" in response.json()["error"]["message"]


async def test_unknown_fields_and_malformed_json_get_the_envelope(
    gateway: GatewayUnderTest,
) -> None:
    headers = await bearer(gateway.client, "niklaus")
    session = (await gateway.client.post("/api/sessions", json={}, headers=headers)).json()["data"]
    unknown = await gateway.client.post(
        "/api/sessions", json={"name": "x", "bogus": 1}, headers=headers
    )
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "invalid_argument"
    assert "bogus" in unknown.json()["error"]["message"]

    run_unknown = await gateway.client.post(
        "/api/runs",
        json={"sessionId": session["id"], "code": "print(1)", "bogus": 1},
        headers=headers,
    )
    assert run_unknown.status_code == 400
    assert "error" in run_unknown.json()

    snake = await gateway.client.put(
        f"/api/sessions/{session['id']}/code", json={"source": "x"}, headers=headers
    )
    assert snake.status_code == 400

    for path in ("/api/sessions", "/api/runs", "/api/ai/improve", "/api/auth/register"):
        response = await gateway.client.post(
            path, content=b"{not json", headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 400, (path, response.text)
        assert response.json() == {
            "error": {"code": "invalid_argument", "message": "The request body is not valid JSON."}
        }


async def test_unknown_api_route_is_an_envelope(gateway: GatewayUnderTest) -> None:
    response = await gateway.client.get("/api/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_runs_and_improve_report_unavailable_peers(gateway: GatewayUnderTest) -> None:
    """Without execution/leaderboard/coach the API answers 503 envelopes, never a trace."""
    headers = await bearer(gateway.client, "frances")
    session = (await gateway.client.post("/api/sessions", json={}, headers=headers)).json()["data"]
    run = await gateway.client.post(
        "/api/runs", json={"sessionId": session["id"], "code": "print(1)"}, headers=headers
    )
    assert run.status_code == 503
    assert run.json()["error"] == {
        "code": "unavailable",
        "message": "The execution service is unavailable; try again.",
    }
    # The code is saved before execution is asked: nothing typed is lost.
    got = await gateway.client.get(f"/api/sessions/{session['id']}", headers=headers)
    assert got.json()["data"]["code"] == "print(1)"

    for response in (
        await gateway.client.get(f"/api/runs/{session['id']}", headers=headers),
        await gateway.client.post(
            "/api/ai/improve", json={"sessionId": session["id"]}, headers=headers
        ),
        await gateway.client.get("/api/me/progress", headers=headers),
        await gateway.client.get("/api/tracks", headers=headers),
    ):
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "unavailable"
        assert "Traceback" not in response.text

    empty = await gateway.client.post(
        "/api/runs", json={"sessionId": session["id"], "code": "   "}, headers=headers
    )
    assert empty.status_code == 400
