"""Issue 18 §5: one learner looping ~1 MB runs grew the leaderboard database by 3.5 MB/s.
Through the real stack: their stored output is bounded per day, then runs are a clear 429
with Retry-After. (Listing those runs is issue 18 §3's message-size case, not tested here.)"""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.integration.conftest import OUTPUT_QUOTA_BYTES, register

pytestmark = pytest.mark.integration

# Just under execution's 1,000,000-byte output cap: the run keeps it all.
LOUD = "print('x' * 980_000)\nprint('ACCURACY: 0.5')\n"


def test_stored_output_is_bounded_per_learner(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, f'loud-{uuid.uuid4().hex[:8]}')}"}
    session = api.post("/api/sessions", json={}, headers=auth).json()["data"]
    body = {"sessionId": session["id"], "code": LOUD}
    accepted = 0
    refused: httpx.Response | None = None
    for _ in range(OUTPUT_QUOTA_BYTES // 980_000 + 3):
        response = api.post("/api/runs", json=body, headers=auth)
        if response.status_code == 429:
            refused = response
            break
        assert response.status_code == 201, response.text
        accepted += 1
    assert refused is not None, f"{accepted} runs of ~1 MB each and no quota"
    # The quota is checked before a run starts, so one run may end just past it.
    assert OUTPUT_QUOTA_BYTES // 1_000_000 - 1 <= accepted <= OUTPUT_QUOTA_BYTES // 980_000 + 1
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    assert "output" in error["message"]
    assert 0 < int(refused.headers["retry-after"]) <= 24 * 3600

    # Another learner still runs.
    other = {"Authorization": f"Bearer {register(api, f'quiet-{uuid.uuid4().hex[:8]}')}"}
    mine = api.post("/api/sessions", json={}, headers=other).json()["data"]
    fine = api.post(
        "/api/runs", json={"sessionId": mine["id"], "code": "print('hi')"}, headers=other
    )
    assert fine.status_code == 201, fine.text
