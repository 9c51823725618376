"""The playground's and the sandbox's self-improvement on a real database: measured score
changes of transformations reorder the suggestions on similar datasets (and are events with
the change), and winning training configurations become the recommended starting points."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ascent.apps.v1 import apps_service_pb2 as pb
from ascent.events.v1 import apps_pb2
from ascent.types.v1 import run_pb2
from sqlalchemy import select

from services.apps import service
from services.common import events
from services.common.db import Database
from services.common.outbox import outbox
from services.common.report_sections import ReportSection
from tests.support.postgres import BACKENDS, service_database

HOOD = "classification|r1|c1|m0|k1"


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with service_database(request.param, tmp_path, "apps") as database:
        yield database


def run_app(db: Database, slug: str, sections: list[ReportSection]) -> pb.Analysis:
    request = pb.StartAnalysisRequest(
        app_slug=slug, owner_id="learner", session_id="s", dataset_sha256="d" * 64
    )
    new = service.NewAnalysis(
        id=str(uuid.uuid4()), run_id=str(uuid.uuid4()), code="print()", request=request
    )
    with db.session() as session:
        service.start(session, new)
    with db.session() as session:
        row = service.finish(session, new.id, run_pb2.Run(status="ok"), sections, 900)
        return service.to_message(session, row)


def suggestion(kind: str, priority: float) -> dict[str, Any]:
    return {"key": f"{kind}:x", "kind": kind, "column": "x", "priority": priority}


def playground(trials: list[tuple[str, float]]) -> list[ReportSection]:
    return [
        ReportSection("overview", 1, {"neighbourhood": HOOD}),
        ReportSection(
            "suggestions",
            1,
            {"suggestions": [suggestion("log", 0.5), suggestion("onehot", 0.4)]},
        ),
        ReportSection(
            "trials",
            1,
            {
                "trials": [
                    {"key": f"{kind}:x", "kind": kind, "column": "x", "delta": delta}
                    for kind, delta in trials
                ]
            },
        ),
    ]


def order(analysis: pb.Analysis) -> list[str]:
    section = next(s for s in analysis.sections if s.kind == "suggestions")
    return [s["kind"] for s in json.loads(section.data_json)["suggestions"]]


def test_suggestions_rank_by_score_changes_measured_on_similar_datasets(db: Database) -> None:
    # No evidence yet: the program's priority order (log first) stands.
    first = run_app(db, "features", playground([("log", -0.02), ("onehot", 0.03)]))
    assert order(first) == ["log", "onehot"]
    # The first analysis measured log hurting and one-hot helping; two more say the same.
    for _ in range(2):
        run_app(db, "features", playground([("log", -0.01), ("onehot", 0.02)]))
    later = run_app(db, "features", playground([]))
    assert order(later) == ["onehot", "log"], "what helped here now comes first"
    data = json.loads(next(s for s in later.sections if s.kind == "suggestions").data_json)
    assert "helped 3×" in data["suggestions"][0]["evidence"]
    assert "mean change +0.0233" in data["suggestions"][0]["evidence"]
    assert "helped 0×" in data["suggestions"][1]["evidence"]

    # Each measurement is an event with its score change (for analytics and other learners).
    with db.engine.connect() as conn:
        payloads = conn.execute(
            select(outbox.c.payload).where(outbox.c.subject == events.APPS_SUGGESTION_EVALUATED)
        ).scalars()
        evaluated = [apps_pb2.SuggestionEvaluated.FromString(bytes(p)) for p in payloads]
    assert len(evaluated) == 6
    assert {(e.suggestion_key, e.improved) for e in evaluated} == {
        ("log:x", False),
        ("onehot:x", True),
    }
    assert all(e.app_slug == "features" and e.neighbourhood == HOOD for e in evaluated)
    assert sorted(round(e.score_change, 3) for e in evaluated)[:1] == [-0.02]


def test_whatif_with_one_change_is_evidence_and_several_are_not(db: Database) -> None:
    def whatif(changes: list[dict[str, str]], delta: float) -> list[ReportSection]:
        return [
            ReportSection("overview", 1, {"neighbourhood": HOOD}),
            ReportSection("whatif", 1, {"changes": changes, "delta": delta}),
        ]

    run_app(db, "features", whatif([{"column": "x", "transform": "bin"}], 0.05))
    run_app(
        db,
        "features",
        whatif([{"column": "x", "transform": "log"}, {"column": "y", "transform": "drop"}], 0.05),
    )
    with db.engine.connect() as conn:
        payloads = conn.execute(
            select(outbox.c.payload).where(outbox.c.subject == events.APPS_SUGGESTION_EVALUATED)
        ).scalars()
        keys = [apps_pb2.SuggestionEvaluated.FromString(bytes(p)).suggestion_key for p in payloads]
    assert keys == ["bin:x"]


def training(model: str, params: dict[str, Any], validation: float) -> list[ReportSection]:
    return [
        ReportSection("split", 1, {"neighbourhood": HOOD, "model": model, "params": params}),
        ReportSection(
            "evaluation",
            1,
            {
                "model": model,
                "params": params,
                "validation": validation,
                "metric": "accuracy",
                "neighbourhood": HOOD,
            },
        ),
    ]


def split_of(analysis: pb.Analysis) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        next(s for s in analysis.sections if s.kind == "split").data_json
    )
    return data


def test_winning_configurations_become_the_recommended_starting_points(db: Database) -> None:
    first = split_of(run_app(db, "training", training("tree", {"max_depth": 5}, 0.8)))
    assert first["recommended"] == []
    ranges = {r["name"]: r for r in first["ranges"]}
    assert ranges["max_depth"]["source"].startswith("documented default")
    assert (ranges["max_depth"]["low"], ranges["max_depth"]["high"]) == (1, 30)

    run_app(db, "training", training("tree", {"max_depth": 3}, 0.86))
    run_app(db, "training", training("tree", {"max_depth": 20}, 0.7))
    run_app(db, "training", training("forest", {"max_depth": 8}, 0.93))
    later = split_of(run_app(db, "training", training("tree", {"max_depth": 4}, 0.84)))
    assert [(r["model"], r["params"]) for r in later["recommended"]] == [
        ("forest", {"max_depth": 8}),
        ("tree", {"max_depth": 3}),
        ("tree", {"max_depth": 5}),
    ]
    assert later["evidence_count"] == 4
    depth = {r["name"]: r for r in later["ranges"]}["max_depth"]
    # The better half of the 3 tree configurations (just the best one) gives the range.
    assert (depth["low"], depth["high"]) == (3, 3)
    assert "evidence" in depth["source"] and "3 analyses" in depth["source"]


# -- Time-Series Forecaster (issue 15) -------------------------------------------------------
SERIES = "ts:len=long:season=strong:trend=weak"


def backtest(maes: dict[str, float]) -> list[ReportSection]:
    models = [
        {"model": m, "title": m, "mae": mae, "rmse": mae * 1.2, "smape": mae / 10, "folds": []}
        for m, mae in maes.items()
    ]
    ranked = sorted(maes, key=lambda m: maes[m])
    data = {
        "models": models,
        "winner": ranked[0],
        "ranked": ranked,
        "horizon": 28,
        "folds": 3,
        "characteristics": {
            "length": 1000,
            "seasonal_strength": 0.9,
            "trend_strength": 0.1,
            "period": 7,
        },
        "neighbourhood": SERIES,
    }
    return [
        ReportSection("decomposition", 1, {"neighbourhood": SERIES}),
        ReportSection("backtest", 1, data),
    ]


def shown_models(analysis: pb.Analysis) -> list[str]:
    section = next(s for s in analysis.sections if s.kind == "backtest")
    return [m["model"] for m in json.loads(section.data_json)["models"]]


def test_forecast_models_are_ordered_by_how_often_each_won_on_similar_series(
    db: Database,
) -> None:
    # No evidence: the backtest's own order (lowest MAE first), said so.
    first = run_app(db, "forecast", backtest({"sarima": 1.0, "holt_winters": 2.0, "boosting": 3.0}))
    assert shown_models(first) == ["sarima", "holt_winters", "boosting"]
    # Holt-Winters then wins twice on series like this one...
    for _ in range(2):
        run_app(db, "forecast", backtest({"sarima": 2.0, "holt_winters": 1.0, "boosting": 3.0}))
    # ...so on the next similar series it is listed first, with its record, whatever won here.
    latest = run_app(
        db, "forecast", backtest({"sarima": 1.0, "holt_winters": 2.0, "boosting": 3.0})
    )
    section = json.loads(next(s for s in latest.sections if s.kind == "backtest").data_json)
    assert section["expected"] == "holt_winters" and section["winner"] == "sarima"
    assert shown_models(latest) == ["holt_winters", "sarima", "boosting"]
    assert section["models"][0]["evidence"] == "on 3 similar series it won 2×, mean sMAPE 0.13 %"
    with db.session() as session:
        payloads = session.execute(
            select(outbox.c.payload).where(outbox.c.subject == events.APPS_FORECAST_EVALUATED)
        ).scalars()
        evaluated = [apps_pb2.ForecastEvaluated.FromString(bytes(p)) for p in payloads]
    assert [e.winner for e in evaluated] == ["sarima", "holt_winters", "holt_winters", "sarima"]
    assert evaluated[0].neighbourhood == SERIES and evaluated[0].period == 7
    assert {s.model: s.mae for s in evaluated[0].scores}["boosting"] == 3.0
