"""Issue 19, datasets of real size, through the real stack: a 1,000,000-row upload is checked,
stored and run by the seed's starter code in the sandbox, and the dataset card says that its
histograms come from a sample. Before, the gateway refused anything over 10,000 rows."""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Iterator

import httpx
import numpy as np
import pandas as pd
import pytest

from services.common.templates import STARTER_TEMPLATE
from services.supervisor.stack import Stack
from tests.integration.conftest import STAFF
from tests.support.fullstack import running_stack

pytestmark = pytest.mark.integration

PASSWORD = "correct horse 42"
ROWS = 1_000_000


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The default run limits (30 s, 1 GB): the package stack's 4 s are for small data."""
    with running_stack(tmp_path_factory.mktemp("ascent-large"), staff=dict(STAFF)) as running:
        yield running


def million_rows() -> bytes:
    """Two features and a label that follows them (about 17 MB)."""
    rng = np.random.default_rng(7)
    values = rng.normal(size=(ROWS, 2)).round(3)
    frame = pd.DataFrame(values, columns=["x0", "x1"])
    frame["label"] = np.where(values[:, 0] + values[:, 1] > 0, "up", "down")
    buffer = io.BytesIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()


def test_a_million_rows_upload_is_profiled_on_a_stated_sample_and_runs(stack: Stack) -> None:
    username = f"big-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=stack.base_url, timeout=300) as client:
        registered = client.post(
            "/api/auth/register", json={"username": username, "password": PASSWORD}
        )
        assert registered.status_code == 201, registered.text
        token = client.post(
            "/api/auth/token", json={"username": username, "password": PASSWORD}
        ).json()["data"]["token"]
        auth = {"Authorization": f"Bearer {token}"}
        session = client.post("/api/sessions", json={}, headers=auth).json()["data"]
        upload = client.post(
            f"/api/sessions/{session['id']}/dataset",
            files={"file": ("million.csv", million_rows(), "text/csv")},
            headers=auth,
        )
        assert upload.status_code == 200, upload.text
        assert upload.json()["data"]["rows"] == ROWS

        # The dashboard's card, as the learner's browser gets it (a cookie session).
        login = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert csrf is not None
        client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": csrf.group(1)},
        )
        page = client.get(f"/notebook/{session['id']}")
        assert page.status_code == 200
        assert "uniform random sample of 100,000 of 1,000,000 rows" in page.text
        # The class balance counts every row, not the sample.
        counts = re.findall(r"(\d+) \(\d+\.\d%\)", page.text)
        assert sum(int(count) for count in counts) == ROWS

        run = client.post(
            "/api/runs",
            json={"sessionId": session["id"], "code": STARTER_TEMPLATE},
            headers=auth,
        )
        assert run.status_code == 201, run.text
        data = run.json()["data"]
        assert data["status"] == "ok", data.get("stderr", "")[-2000:]
        info = re.search(r"DATASET_INFO: (\{.*\})", data["stdout"])
        assert info is not None
        assert json.loads(info.group(1))["rows"] == ROWS
        assert data["accuracy"] > 0.95

        # Its columnar copy is mounted beside the CSV and is the same table.
        compare = client.post(
            "/api/runs",
            json={
                "sessionId": session["id"],
                "code": (
                    "import pandas as pd\n"
                    "a = pd.read_csv('/data/uploaded.csv')\n"
                    "b = pd.read_parquet('/data/uploaded.parquet')\n"
                    "pd.testing.assert_frame_equal(a, b)\n"
                    "print('SAME', len(b))\n"
                ),
            },
            headers=auth,
        )
        assert compare.status_code == 201, compare.text
        same = compare.json()["data"]
        assert same["status"] == "ok", same.get("stderr", "")[-2000:]
        assert f"SAME {ROWS}" in same["stdout"]
