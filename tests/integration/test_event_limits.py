"""Issue 18 §2-§4 through the real stack (supervisor, nats-server, every service).

§2: a run whose event was larger than NATS's 1 MiB max_payload stopped every later event of
every learner. §3: results and lists larger than gRPC's 4 MiB became "busy" errors. §4:
requests that were 500s.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from services.supervisor.stack import Stack
from tests.integration.conftest import ADMIN, STAFF, learner, login
from tests.support.fullstack import STAFF_PASSWORD, running_stack
from tests.support.polling import eventually

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own with the default run limits: saving four noisy 150-dpi figures
    takes several seconds on a busy 2-core machine, past the package stack's 4 s limit; and
    a backbone that stops here stops no other test."""
    with running_stack(tmp_path_factory.mktemp("ascent-limits"), staff=dict(STAFF)) as running:
        yield running


# Under the 200,000-character limit; 760 KB of UTF-8 plus ~1 MB printed (issue 18 §2).
EMOJI_RUN = "# " + "😀" * 190_000 + "\nprint('x' * 990_000)\n"
FOUR_NOISY_FIGURES = """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
rng = np.random.default_rng(0)
for i in range(4):
    fig = plt.figure(dpi=150)
    plt.imshow(rng.random((720, 960, 3)), interpolation="nearest")
print("ACCURACY: 0.5")
"""


def run(api: httpx.Client, auth: dict[str, str], session_id: str, code: str) -> httpx.Response:
    return api.post("/api/runs", json={"sessionId": session_id, "code": code}, headers=auth)


def listed(api: httpx.Client, auth: dict[str, str], session_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/runs/{session_id}", headers=auth)
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def test_an_oversized_run_event_no_longer_stops_the_backbone(api: httpx.Client) -> None:
    auth, session_id = learner(api, "emoji")
    big = run(api, auth, session_id, EMOJI_RUN)
    assert big.status_code == 201, big.text[:500]
    assert len(big.json()["data"]["stdout"]) > 990_000, "the learner sees the whole output"

    # A later learner's run reaches the leaderboard and progress (XP), as before the big one.
    other_auth, other_session = learner(api, "after-emoji")
    later = run(api, other_auth, other_session, "print('ACCURACY: 0.9')\n")
    assert later.status_code == 201, later.text
    later_id = later.json()["data"]["id"]
    eventually(
        lambda: later_id in [r["id"] for r in listed(api, other_auth, other_session)],
        what="the later run on the board",
    )
    eventually(
        lambda: api.get("/api/me/progress", headers=other_auth).json()["data"]["xp"] > 0,
        what="XP for the later run",
    )

    # The big run is on the board too: the ledger's copy is a bounded excerpt that says what
    # was left out, the output comes whole from the gateway's copy (gateway/outputs.py).
    stored = api.get(f"/api/runs/{session_id}/{big.json()['data']['id']}", headers=auth)
    assert stored.status_code == 200, stored.text[:500]
    whole = stored.json()["data"]
    assert whole["stdout"] == "x" * 990_000 + "\n"
    listed_run = next(r for r in listed(api, auth, session_id) if r["id"] == whole["id"])
    assert len(listed_run["stdout"]) < 200_000
    assert any("of the output" in notice for notice in whole["notices"])
    assert any("of the code" in notice for notice in whole["notices"])

    health = api.get("/healthz").json()["data"]
    assert health["outbox"]["execution"]["deadLettered"] == 0
    assert health["status"] == "ok", health["alerts"]


def test_four_noisy_figures_are_delivered_once(api: httpx.Client) -> None:
    auth, session_id = learner(api, "figures")
    response = run(api, auth, session_id, FOUR_NOISY_FIGURES)
    assert response.status_code == 201, response.text[:500]
    assert response.json()["data"]["status"] == "ok", response.json()["data"]["error"]
    figures = response.json()["data"]["figures"]
    assert len(figures) == 4
    assert sum(len(f) * 3 // 4 for f in figures) > 4 << 20, "the case gRPC's 4 MiB broke"
    runs = eventually(lambda: listed(api, auth, session_id), what="the run listed")
    assert len(runs) == 1 and runs[0]["summary"] and runs[0]["figures"] == []


def test_a_session_of_five_990_kb_runs_stays_readable(api: httpx.Client) -> None:
    auth, session_id = learner(api, "loud")
    made = []
    for index in range(5):
        code = f"print('{index}' * 990_000)\nprint('ACCURACY: 0.{index + 1}')\n"
        response = run(api, auth, session_id, code)
        assert response.status_code == 201, response.text[:300]
        made.append(response.json()["data"]["id"])
    detail = api.get(f"/api/sessions/{session_id}", headers=auth)
    assert detail.status_code == 200, detail.text[:300]
    assert detail.json()["data"]["runsError"] is None
    assert sorted(r["id"] for r in detail.json()["data"]["runs"]) == sorted(made)
    page = api.get(f"/api/runs/{session_id}?limit=2&offset=1", headers=auth)
    assert page.status_code == 200 and page.headers["X-Total-Count"] == "5"
    every = [r["id"] for r in listed(api, auth, session_id)]
    assert [r["id"] for r in page.json()["data"]] == every[1:3]
    improved = api.post("/api/ai/improve", json={"sessionId": session_id}, headers=auth)
    assert improved.status_code == 200, improved.text[:300]
    assert improved.json()["data"]["improvedRun"]["id"]


def test_nan_in_a_confusion_matrix_is_refused_with_a_reason(api: httpx.Client) -> None:
    auth, session_id = learner(api, "nan")
    code = 'print("CONFUSION_MATRIX: [[NaN,1],[Infinity,-Infinity]]")\nprint("ACCURACY: 0.5")\n'
    response = run(api, auth, session_id, code)
    assert response.status_code == 201, response.text[:300]
    data = json.loads(response.text)  # strict JSON: no NaN anywhere
    assert data["data"]["confusionMatrix"] is None and data["data"]["accuracy"] == 0.5
    assert data["data"]["notices"] == [
        "The CONFUSION_MATRIX: line was ignored: NaN is not a number JSON allows."
    ]
    runs = eventually(lambda: listed(api, auth, session_id), what="the run listed")
    assert runs[0]["notices"] == data["data"]["notices"]


def test_a_lone_surrogate_is_a_400_and_nothing_runs(api: httpx.Client) -> None:
    auth, session_id = learner(api, "surrogate")
    headers = {**auth, "Content-Type": "application/json"}
    body = b'{"sessionId": "%s", "code": "print(\\"\\ud800\\")"}' % session_id.encode()
    response = api.post("/api/runs", content=body, headers=headers)
    assert response.status_code == 400, response.text
    saved = api.put(
        f"/api/sessions/{session_id}/code", content=b'{"code": "\\ud800"}', headers=headers
    )
    assert saved.status_code == 400, saved.text
    assert listed(api, auth, session_id) == []


def test_an_enormous_platform_window_is_a_400(api: httpx.Client, stack: Stack) -> None:
    # The staff file's admin (registering the name grants nothing since issue 18 §6).
    admin = {"Authorization": f"Bearer {login(api, ADMIN, STAFF_PASSWORD)}"}
    for window in ("100000000000", "-100000000000", "0"):
        response = api.get(f"/api/analytics/platform?window={window}", headers=admin)
        if window == "0":  # 0 is the default window, as before
            assert response.status_code == 200, response.text
            continue
        assert response.status_code == 400, response.text
        assert response.json()["error"]["message"].startswith("The window is 1 to")


def test_a_long_output_is_downloaded_whole(api: httpx.Client) -> None:
    # The run event (and so the leaderboard's copy) keeps the head and tail of a long output;
    # "Download full output" and the whole run must still give every line (issue 13 item 1).
    auth, session_id = learner(api, "long-output")
    printed = run(api, auth, session_id, "for i in range(60_000):\n    print(i)\n")
    assert printed.status_code == 201, printed.text[:500]
    run_id = printed.json()["data"]["id"]
    expected = [str(i) for i in range(60_000)]

    whole = api.get(f"/api/runs/{session_id}/{run_id}", headers=auth)
    assert whole.status_code == 200, whole.text[:500]
    assert whole.json()["data"]["stdout"].splitlines() == expected
    # The ledger's copy is the excerpt, and says so.
    assert any("of the output" in notice for notice in whole.json()["data"]["notices"])
