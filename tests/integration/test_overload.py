"""Issue 19, load: a sandbox at capacity answers 429 with Retry-After (before: a bare 429
nobody could pace themselves by), records nothing for the refused run, and the retry runs."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from services.supervisor.stack import Stack
from tests.integration.conftest import learner
from tests.support.fullstack import running_stack
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

SLOW = "import time\ntime.sleep(6)\nprint('slow done')\n"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One worker and no waiting room: the second concurrent run finds the sandbox full."""
    limits = {"ASCENT_EXECUTION_POOL_SIZE": "1", "ASCENT_EXECUTION_MAX_QUEUE": "0"}
    with running_stack(tmp_path_factory.mktemp("ascent-overload"), limits) as running:
        yield running


def test_a_full_sandbox_is_a_429_with_retry_after_and_the_retry_runs(stack: Stack) -> None:
    with httpx.Client(base_url=stack.base_url, timeout=120) as api:
        first_auth, first_session = learner(api, "load")
        second_auth, second_session = learner(api, "load")
        slow: list[httpx.Response] = []

        def slow_run() -> None:
            with httpx.Client(base_url=stack.base_url, timeout=120) as other:
                body = {"sessionId": first_session, "code": SLOW}
                slow.append(other.post("/api/runs", json=body, headers=first_auth))

        worker = threading.Thread(target=slow_run)
        worker.start()
        probes: list[httpx.Response] = []

        def refused() -> httpx.Response | None:
            # Whichever request finds the only worker taken is refused; a probe that found it
            # free ran (and is counted below), and so may the slow run have been refused.
            if slow and slow[0].status_code == 429:
                return slow[0]
            body = {"sessionId": second_session, "code": "print('mine')"}
            probes.append(api.post("/api/runs", json=body, headers=second_auth))
            return probes[-1] if probes[-1].status_code == 429 else None

        try:
            busy = eventually(refused, timeout=30, interval=0.05)
        finally:
            worker.join(60)
        assert busy.json()["error"]["code"] == "busy"
        assert busy.headers["Retry-After"] == "5"
        every = slow + probes
        assert {response.status_code for response in every} <= {201, 429}
        # The retry after the wait runs; a refused run left nothing behind.
        again = api.post(
            "/api/runs",
            json={"sessionId": second_session, "code": "print('mine')"},
            headers=second_auth,
        )
        assert again.status_code == 201, again.text
        ran = sum(1 for probe in probes if probe.status_code == 201) + 1
        runs = api.get(f"/api/runs/{second_session}", headers=second_auth).json()["data"]
        assert len(runs) == ran
        first_runs = api.get(f"/api/runs/{first_session}", headers=first_auth).json()["data"]
        assert len(first_runs) == sum(1 for response in slow if response.status_code == 201)
