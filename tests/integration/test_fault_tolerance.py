"""Killing the leaderboard while runs are made loses nothing and duplicates nothing."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from services.supervisor.stack import Stack
from tests.integration.conftest import register

pytestmark = pytest.mark.integration


def test_leaderboard_outage_loses_no_run(api: httpx.Client, stack: Stack) -> None:
    token = register(api, f"fault-{uuid.uuid4().hex[:8]}")
    auth = {"Authorization": f"Bearer {token}"}
    session = api.post("/api/sessions", json={}, headers=auth).json()["data"]
    code = "print('ACCURACY: 0.5')\nprint('MODEL_TYPE: Dummy')\n"

    made: list[str] = []

    def make_run(name: str) -> None:
        response = api.post(
            "/api/runs",
            json={"sessionId": session["id"], "code": code, "name": name},
            headers=auth,
        )
        assert response.status_code == 201, response.text
        made.append(response.json()["data"]["id"])

    make_run("before outage")
    stack.stop_child("leaderboard")
    for i in range(3):
        make_run(f"during outage {i}")
    stack.start_child("leaderboard")
    make_run("after outage")

    deadline = time.monotonic() + 30
    while True:
        response = api.get(f"/api/runs/{session['id']}", headers=auth)
        if response.status_code == 200:
            ids = [r["id"] for r in response.json()["data"]]
        else:  # the restarted leaderboard may still be catching up: a clear 503, no trace
            assert response.status_code == 503, response.text
            assert response.json()["error"]["code"] == "unavailable"
            ids = []
        if len(ids) >= len(made) or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert sorted(ids) == sorted(made), "every run on the board exactly once"
