"""Issue 18 §5: per-learner quotas (runs per minute, uploads per day) with 429 and
Retry-After, and the sliding-window arithmetic behind them. The stored-output quota is
tested through the real stack in tests/integration/test_quotas.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from gateway.quotas import wait_seconds
from services.common.db import utcnow
from tests.gateway.conftest import bearer

CSV = b"a,b,target\n" + b"".join(f"{i},{i * 2},{i % 2}\n".encode() for i in range(30))


def test_wait_seconds_is_when_enough_usage_leaves_the_window() -> None:
    now = utcnow()
    window = timedelta(minutes=1)
    usage = [(now - timedelta(seconds=50), 1), (now - timedelta(seconds=20), 1)]
    assert wait_seconds(usage, 3, window, now, 1) is None
    # Full: the oldest leaves the window in 10 s.
    assert round(wait_seconds(usage, 2, window, now, 1) or 0) == 10
    # Byte quotas: 700 + 400 used of 1000; adding 200 needs the 700 gone (in 10 s),
    # adding 700 needs both gone (in 40 s).
    sized = [(now - timedelta(seconds=50), 700), (now - timedelta(seconds=20), 400)]
    assert round(wait_seconds(sized, 1000, window, now, 200) or 0) == 10
    assert round(wait_seconds(sized, 1000, window, now, 700) or 0) == 40
    # Larger than the whole quota: it never fits; the answer is the whole window.
    assert wait_seconds([], 1000, window, now, 5000) == 60


async def test_runs_per_minute_are_refused_with_retry_after(
    make_gateway: Callable[..., Any],
) -> None:
    async with make_gateway(quota_runs_per_minute=3) as gateway:
        headers = await bearer(gateway.client, "runner")
        session = (await gateway.client.post("/api/sessions", json={}, headers=headers)).json()
        body = {"sessionId": session["data"]["id"], "code": "print(1)"}
        # No execution service runs here (503), but each attempt counts as a started run.
        statuses = [
            (await gateway.client.post("/api/runs", json=body, headers=headers)).status_code
            for _ in range(3)
        ]
        assert statuses == [503, 503, 503]
        refused = await gateway.client.post("/api/runs", json=body, headers=headers)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert "3 runs in the last minute" in refused.json()["error"]["message"]
        assert 0 < int(refused.headers["retry-after"]) <= 60
        # Another learner is not held back by it.
        other = await bearer(gateway.client, "neighbour")
        mine = (await gateway.client.post("/api/sessions", json={}, headers=other)).json()
        again = await gateway.client.post(
            "/api/runs", json={**body, "sessionId": mine["data"]["id"]}, headers=other
        )
        assert again.status_code == 503


async def test_uploads_per_day_count_and_bytes(make_gateway: Callable[..., Any]) -> None:
    async with make_gateway(
        quota_uploads_per_day=2, quota_upload_bytes_per_day=len(CSV) * 3
    ) as gateway:
        headers = await bearer(gateway.client, "uploader")
        created = await gateway.client.post("/api/sessions", json={}, headers=headers)
        url = f"/api/sessions/{created.json()['data']['id']}/dataset"

        def upload() -> Any:
            return gateway.client.post(
                url, files={"file": ("d.csv", CSV, "text/csv")}, headers=headers
            )

        assert (await upload()).status_code == 200
        assert (await upload()).status_code == 200
        refused = await upload()
        assert refused.status_code == 429
        assert "2 files in the last 24 hours" in refused.json()["error"]["message"]
        assert int(refused.headers["retry-after"]) > 23 * 3600

    async with make_gateway(quota_upload_bytes_per_day=len(CSV) + 10) as gateway:
        headers = await bearer(gateway.client, "bulky")
        created = await gateway.client.post("/api/sessions", json={}, headers=headers)
        url = f"/api/sessions/{created.json()['data']['id']}/dataset"
        files = {"file": ("d.csv", CSV, "text/csv")}
        assert (await gateway.client.post(url, files=files, headers=headers)).status_code == 200
        refused = await gateway.client.post(url, files=files, headers=headers)
        assert refused.status_code == 429
        assert "per 24 hours" in refused.json()["error"]["message"]
