"""Time-Series Forecaster benchmark (issue 15): five years of daily data (1,826 days: a trend, a
weekly and a yearly season, noise) end to end through the gateway's streamed API against the
whole stack (supervisor on free ports; real sandbox), and where the time goes.

    .venv/bin/python bench/bench_forecast.py --runs 5 [--days 1826]

Per run, from the request: `complete` = the stored result has arrived (every section, the
analysis committed); `program` = the program's own clock in the sandbox (its `timing` section,
imports included), with its phases; `backtest per model` = the backtest section's seconds.
The baseline, in the same run: a notebook run of `print(1)` through `POST /api/runs` — the
sandbox start and the round trip any program pays. Medians (p50) and max; one warm-up run
first. Target (2-core machine): complete ≤ 5 s. Figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.apps.conftest import open_catalog  # noqa: E402
from tests.support.fullstack import running_stack  # noqa: E402

PASSWORD = "correct horse 42"


def daily_csv(days: int) -> bytes:
    rng = np.random.default_rng(0)
    t = np.arange(days)
    values = (
        100
        + 0.05 * t
        + 12 * np.sin(2 * np.pi * t / 7)
        + 8 * np.sin(2 * np.pi * t / 365.25)
        + rng.normal(0, 3, days)
    )
    dates = pd.date_range("2020-01-01", periods=days, freq="D").strftime("%Y-%m-%d")
    buffer = io.StringIO()
    pd.DataFrame({"date": dates, "sales": values.round(3)}).to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def one_analysis(api: httpx.Client, auth: dict[str, str], session_id: str) -> dict[str, Any]:
    started = time.perf_counter()
    sections: dict[str, Any] = {}
    with api.stream(
        "POST", "/api/apps/forecast/analyses/stream", json={"sessionId": session_id}, headers=auth
    ) as response:
        event = ""
        for text in response.iter_lines():
            if text.startswith("event:"):
                event = text[6:].strip()
            elif text.startswith("data:"):
                data = json.loads(text[5:])
                if event == "section":
                    sections[data["kind"]] = data["data"]
                elif event == "result":
                    if data["status"] != "completed":
                        raise SystemExit(f"analysis {data['status']}: {data['errorMessage']}")
                    return {"complete": time.perf_counter() - started, **sections}
                elif event == "failed":
                    raise SystemExit(f"analysis failed: {data}")
    raise SystemExit("the stream ended without a result")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--days", type=int, default=5 * 365 + 1)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_stack(
            Path(tmp),
            {
                "ASCENT_EXECUTION_WALL_SECONDS": "60",
                # The app opens after two passed challenges; the benchmark is about its speed.
                "ASCENT_APPS_CATALOG": str(open_catalog(Path(tmp))),
            },
        ) as stack,
        httpx.Client(base_url=stack.base_url, timeout=120) as api,
    ):
        api.post("/api/auth/register", json={"username": "bench-forecast", "password": PASSWORD})
        token = api.post(
            "/api/auth/token", json={"username": "bench-forecast", "password": PASSWORD}
        ).json()["data"]["token"]
        auth = {"Authorization": f"Bearer {token}"}
        session = api.post("/api/sessions", json={}, headers=auth).json()["data"]
        api.post(
            f"/api/sessions/{session['id']}/dataset",
            files={"file": ("daily.csv", daily_csv(args.days), "text/csv")},
            headers=auth,
        ).raise_for_status()
        one_analysis(api, auth, session["id"])  # warm-up
        results, baselines = [], []
        for _ in range(args.runs):
            results.append(one_analysis(api, auth, session["id"]))
            started = time.perf_counter()
            api.post(
                "/api/runs", json={"sessionId": session["id"], "code": "print(1)"}, headers=auth
            ).raise_for_status()
            baselines.append(time.perf_counter() - started)
    load = os.getloadavg()[0]
    print(f"series: {args.days} daily values, {args.runs} runs (load average {load:.1f})")

    def line(name: str, values: list[float]) -> None:
        print(f"{name:40s} p50 {statistics.median(values):6.2f} s   max {max(values):6.2f} s")

    line("complete (stored result)", [r["complete"] for r in results])
    line("program in the sandbox (its clock)", [r["timing"]["total"] for r in results])
    line("program's CPU seconds", [r["timing"]["cpu_total"] for r in results])
    for phase in results[0]["timing"]["seconds"]:
        line(f"  {phase} (wall)", [r["timing"]["seconds"][phase] for r in results])
        line(f"  {phase} (CPU)", [r["timing"]["cpu_seconds"][phase] for r in results])
    for model in results[0]["backtest"]["models"]:
        name = model["model"]
        line(
            f"  backtest: {name}",
            [
                next(m["seconds"] for m in r["backtest"]["models"] if m["model"] == name)
                for r in results
            ],
        )
    line("baseline: print(1) notebook run", baselines)
    last = results[-1]
    print(
        f"periods found: {[p['period'] for p in last['seasonality']['periods']]}; "
        f"winner: {last['backtest']['winner']}"
    )


if __name__ == "__main__":
    main()
