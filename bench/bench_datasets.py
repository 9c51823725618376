"""Datasets of real size (issue 19): upload, first profile view and a starter run on 100,000
and 1,000,000 rows, through the gateway against the whole stack (supervisor on free ports;
real sandbox).

    .venv/bin/python bench/bench_datasets.py --runs 3 [--sizes 100000,1000000]

The data: `columns` numeric columns (4 decimals) and a binary target, written once per size
(1M rows × 20 columns ≈ 150 MB). Per run, on a new notebook session:
- `upload`: `POST /api/sessions/{id}/dataset` from the first byte sent to the 200 (the bytes
  travel over loopback; the gateway checks encoding, delimiter, ragged rows and types, stores
  the file content-addressed and computes the dataset card);
- `first profile view`: `GET /notebook/{id}`, the page with the dataset card (rows, missing
  values, class balance, histograms of a sample of 100,000 rows);
- `starter run`: the seed's starter template through `POST /api/runs` (read the CSV, split,
  fit a logistic regression, score).
Baseline, measured in the same run on the same file: a notebook run that only reads the CSV
(`pd.read_csv(...).shape`) — what any program on this data pays before it computes anything —
and beside it a run that reads the upload's columnar copy (`/data/uploaded.parquet`, the same
table; what the apps' programs read), with both files' sizes.
Medians (p50) and the maximum. Figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.common.templates import STARTER_TEMPLATE  # noqa: E402
from tests.support.fullstack import running_stack  # noqa: E402

PASSWORD = "correct horse 42"
READ_ONLY = "import pandas as pd\nprint(pd.read_csv('/data/uploaded.csv').shape)\n"
READ_COLUMNAR = "import pandas as pd\nprint(pd.read_parquet('/data/uploaded.parquet').shape)\n"
# Appended to the starter: the run's peak resident memory, against the sandbox's 1 GB.
PEAK = (
    "\nimport resource\n"
    "print('PEAK_RSS_MB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
)


def write_csv(path: Path, rows: int, columns: int) -> None:
    rng = np.random.default_rng(0)
    values = rng.normal(size=(rows, columns - 1)).round(4)
    frame = pd.DataFrame(values, columns=[f"x{i}" for i in range(columns - 1)])
    frame["label"] = (values[:, 0] + values[:, 1] > 0).astype(int)
    frame.to_csv(path, index=False)


def csrf_from(text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', text) or re.search(
        r'name="csrf-token" content="([^"]+)"', text
    )
    if found is None:
        raise SystemExit("no CSRF token on the page")
    return found.group(1)


def timed_run(
    api: httpx.Client, auth: dict[str, str], session_id: str, code: str
) -> tuple[float, str]:
    started = time.perf_counter()
    run = api.post("/api/runs", json={"sessionId": session_id, "code": code}, headers=auth)
    run.raise_for_status()
    elapsed = time.perf_counter() - started
    data = run.json()["data"]
    if data["status"] != "ok":
        raise SystemExit(f"run {data['status']}: {data.get('stderr', '')[-2000:]}")
    return elapsed, str(data["stdout"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--columns", type=int, default=20)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    env = {
        # Quotas off: the bench uploads the same large file several times in a minute.
        "ASCENT_GATEWAY_QUOTA_UPLOAD_BYTES_PER_DAY": "0",
        "ASCENT_GATEWAY_QUOTA_UPLOADS_PER_DAY": "0",
        "ASCENT_GATEWAY_QUOTA_RUNS_PER_MINUTE": "0",
        "ASCENT_EXECUTION_WALL_SECONDS": "120",
        "ASCENT_EXECUTION_CPU_SECONDS": "120",
        "ASCENT_GATEWAY_RUN_WALL_SECONDS": "120",
    }
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_stack(Path(tmp) / "stack", env) as stack,
        httpx.Client(base_url=stack.base_url, timeout=600) as api,
        httpx.Client(base_url=stack.base_url, timeout=600) as browser,
    ):
        api.post("/api/auth/register", json={"username": "bench-data", "password": PASSWORD})
        token = api.post(
            "/api/auth/token", json={"username": "bench-data", "password": PASSWORD}
        ).json()["data"]["token"]
        auth = {"Authorization": f"Bearer {token}"}
        login = browser.get("/login")
        browser.post(
            "/login",
            data={
                "username": "bench-data",
                "password": PASSWORD,
                "csrf_token": csrf_from(login.text),
            },
        )
        for rows in sizes:
            path = Path(tmp) / f"rows-{rows}.csv"
            write_csv(path, rows, args.columns)
            content = path.read_bytes()
            uploads, views, starters, baselines, columnar, peaks = [], [], [], [], [], []
            for _ in range(args.runs):
                session = api.post("/api/sessions", json={}, headers=auth).json()["data"]
                started = time.perf_counter()
                upload = api.post(
                    f"/api/sessions/{session['id']}/dataset",
                    files={"file": (path.name, content, "text/csv")},
                    headers=auth,
                )
                if upload.status_code != 200:
                    raise SystemExit(f"upload refused: {upload.text[:500]}")
                uploads.append(time.perf_counter() - started)
                started = time.perf_counter()
                page = browser.get(f"/notebook/{session['id']}")
                views.append(time.perf_counter() - started)
                if f"{rows:,}" not in page.text and str(rows) not in page.text:
                    raise SystemExit("the dataset card does not show the upload")
                elapsed, stdout = timed_run(api, auth, session["id"], STARTER_TEMPLATE + PEAK)
                starters.append(elapsed)
                peak = re.search(r"PEAK_RSS_MB (\d+)", stdout)
                peaks.append(int(peak.group(1)) if peak else -1)
                baselines.append(timed_run(api, auth, session["id"], READ_ONLY)[0])
                columnar.append(timed_run(api, auth, session["id"], READ_COLUMNAR)[0])
            megabytes = len(content) / (1024 * 1024)
            print(
                f"\n{rows:,} rows × {args.columns} columns ({megabytes:.0f} MB), {args.runs} runs"
            )
            for name, values in (
                ("upload (checked, stored, card)", uploads),
                ("first profile view (notebook page)", views),
                ("starter run", starters),
                ("baseline: read the CSV in a run", baselines),
                ("read the columnar copy in a run", columnar),
            ):
                print(
                    f"{name:38s} p50 {statistics.median(values):7.2f} s   max {max(values):7.2f} s"
                )
            ratio = statistics.median(starters) / statistics.median(baselines)
            print(f"starter run / baseline: {ratio:.1f}×; starter peak memory {max(peaks)} MB")
            speedup = statistics.median(baselines) / statistics.median(columnar)
            print(f"CSV read / columnar read: {speedup:.1f}×")


if __name__ == "__main__":
    main()
