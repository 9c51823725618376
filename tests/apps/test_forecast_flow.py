"""The Time-Series Forecaster end to end through the gateway, the apps service and the real
sandbox: on a daily series with a known weekly period (and a duplicate date, a gap and a
non-date row, each explained) it finds period 7, backtests the four models and forecasts with
intervals; the program run unchanged in the notebook reproduces the backtest; a column of
non-dates is refused with why."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import numpy as np
import pandas as pd

from tests.apps.conftest import completed_analysis, register
from tests.apps.test_explorer_flow import session_with

DAYS = 3 * 365


def weekly_csv() -> bytes:
    """Three years of daily sales: a trend, a weekly rhythm (period 7) and noise, seeded;
    with one date twice, a week missing and a row whose date is not a date."""
    rng = np.random.default_rng(7)
    t = np.arange(DAYS)
    values = 200 + 0.05 * t + 25 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 4, DAYS)
    frame = pd.DataFrame(
        {
            "day": pd.date_range("2021-01-01", periods=DAYS, freq="D").strftime("%Y-%m-%d"),
            "sales": values.round(2),
        }
    )
    frame = frame.drop(index=range(400, 407))  # a gap of seven days
    frame = pd.concat(
        [frame, frame.iloc[[100]], pd.DataFrame({"day": ["not a date"], "sales": [1.0]})]
    )
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def reported(stdout: str) -> dict[str, dict[str, Any]]:
    """The ASCENT_REPORT sections a run printed, by kind (the last of each kind)."""
    found: dict[str, dict[str, Any]] = {}
    for line in stdout.splitlines():
        if line.startswith("ASCENT_REPORT: "):
            section = json.loads(line.removeprefix("ASCENT_REPORT: "))
            found[section["kind"]] = section["data"]
    return found


def errors(backtest: dict[str, Any]) -> dict[str, list[tuple[float, float, float]]]:
    return {
        m["model"]: [(f["mae"], f["rmse"], f["smape"]) for f in m["folds"]]
        for m in backtest["models"]
    }


def test_forecast_finds_the_weekly_period_and_the_notebook_reproduces_it(
    api: httpx.Client,
) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'forecast-learner')}"}
    session_id = session_with(api, auth, weekly_csv(), "sales.csv")
    options = {"date_column": "day", "value_column": "sales"}
    analysis = completed_analysis(api, auth, "forecast", session_id, options)
    sections = {s["kind"]: s["data"] for s in analysis["sections"]}
    assert list(sections) == [
        "series",
        "seasonality",
        "decomposition",
        "stationarity",
        "backtest",
        "forecast",
        "anomalies",
        "timing",
    ]

    series = sections["series"]
    assert series["frequency"] == "D" and series["length"] == DAYS
    done = {c["key"]: c for c in series["cleaning"]}
    assert done["duplicates_averaged"]["count"] == 1
    assert done["gaps_filled"]["count"] == 7 and done["gaps_filled"]["longest"] == 7
    assert (
        done["non_dates_dropped"]["count"] == 1
        and "'not a date'" in done["non_dates_dropped"]["message"]
    )

    seasonality = sections["seasonality"]
    assert seasonality["period"] == 7, seasonality["periods"]
    assert seasonality["periods"][0]["period"] == 7
    assert sections["decomposition"]["seasonal_strength"] > 0.8

    backtest = sections["backtest"]
    scored = {m["model"]: m for m in backtest["models"] if "mae" in m}
    assert set(scored) == {"seasonal_naive", "holt_winters", "sarima", "boosting"}
    assert all(len(m["folds"]) == 3 for m in scored.values())
    assert backtest["winner"] == min(scored, key=lambda name: scored[name]["mae"])
    # Noise of sd 4: a model that learnt the weekly shape is well under 2 sd off on average.
    assert scored[backtest["winner"]]["mae"] < 8
    assert all(m["evidence"] for m in backtest["models"])

    forecast = sections["forecast"]
    assert forecast["model"] == backtest["winner"] and len(forecast["point"]) == series["horizon"]
    for low, point, high in zip(
        forecast["lower95"], forecast["point"], forecast["upper95"], strict=True
    ):
        assert low < point < high

    # "Open in notebook": the same program in a new session on the same data, run unchanged.
    opened = api.post(f"/api/apps/forecast/analyses/{analysis['id']}/notebook", headers=auth)
    assert opened.status_code == 201, opened.text
    notebook_id = opened.json()["data"]["sessionId"]
    response = api.post(
        "/api/runs", json={"sessionId": notebook_id, "code": analysis["code"]}, headers=auth
    )
    assert response.status_code in (200, 201), response.text
    run = response.json()["data"]
    assert run["error"] is None, run["stdout"][-2000:]
    again = reported(run["stdout"])
    assert errors(again["backtest"]) == errors(backtest)
    assert again["backtest"]["winner"] == backtest["winner"]
    assert again["forecast"]["point"] == forecast["point"]
    assert again["seasonality"]["periods"] == seasonality["periods"]


def test_a_column_of_non_dates_is_refused_with_why(api: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {register(api, 'forecast-bad')}"}
    rows = "\n".join(f"week {i},{i % 7}" for i in range(60))
    session_id = session_with(api, auth, f"when,value\n{rows}\n".encode(), "bad.csv")
    analysis = completed_analysis(api, auth, "forecast", session_id, {"date_column": "when"})
    problems = analysis["sections"][0]
    assert problems["kind"] == "problems" and problems["data"]["blocking"] is True
    problem = problems["data"]["problems"][0]
    assert problem["key"] == "not_dates"
    assert "60 of 60 values of 'when' are not dates" in problem["message"]
    assert "'week 0'" in problem["message"] and "2024-01-31" in problem["what_would_work"]

    response = api.post(
        "/api/apps/forecast/analyses",
        json={"sessionId": session_id, "options": {"models": ["prophet"]}},
        headers=auth,
    )
    assert response.status_code == 400
    assert "models must name some of" in response.json()["error"]["message"]
