"""The apps service's logic on a real database: finishing analyses (no half result), and the
explorer's self-improvement — the order of recommendations changes with evidence."""

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
from services.apps.repository import AppsRepository
from services.common import events
from services.common.db import Database
from services.common.outbox import outbox
from services.common.report_sections import ReportSection
from tests.support.postgres import BACKENDS, service_database

HOOD = "classification|r0|c1|m1|k1"


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with service_database(request.param, tmp_path, "apps") as database:
        yield database


def recommendation(kind: str, severity: float) -> dict[str, Any]:
    return {
        "key": f"{kind}:col",
        "kind": kind,
        "column": "col",
        "severity": severity,
        "title": kind,
        "why": "",
        "code": f"# {kind}",
    }


def sections() -> list[ReportSection]:
    return [
        ReportSection("overview", 1, {"rows": 100, "neighbourhood": HOOD}),
        ReportSection(
            "quality",
            1,
            {
                "score": 80.0,
                "recommendations": [recommendation("encode", 0.4), recommendation("impute", 0.35)],
            },
        ),
    ]


def start(db: Database, owner: str = "learner-1", session_id: str = "s-1") -> str:
    analysis_id = str(uuid.uuid4())
    request = pb.StartAnalysisRequest(
        app_slug="explorer", owner_id=owner, session_id=session_id, dataset_sha256="d" * 64
    )
    new = service.NewAnalysis(
        id=analysis_id, run_id=str(uuid.uuid4()), code="print()", request=request
    )
    with db.session() as session:
        service.start(session, new)
    return analysis_id


def finish(db: Database, analysis_id: str, status: str = "ok") -> pb.Analysis:
    run = run_pb2.Run(status=status, has_error=status != "ok")
    with db.session() as session:
        row = service.finish(session, analysis_id, run, sections(), 1200)
        return service.to_message(session, row)


def order(analysis: pb.Analysis) -> list[str]:
    quality = next(s for s in analysis.sections if s.kind == "quality")
    return [r["kind"] for r in json.loads(quality.data_json)["recommendations"]]


def decide(db: Database, analysis: pb.Analysis, kind: str, verdict: str) -> str:
    with db.session() as session:
        return service.apply_suggestion(
            session,
            pb.ApplySuggestionRequest(
                analysis_id=analysis.id,
                owner_id=analysis.owner_id,
                suggestion_key=f"{kind}:col",
                verdict=verdict,
            ),
        )


def notebook_run(db: Database, session_id: str, accuracy: float) -> int:
    run = run_pb2.Run(id=str(uuid.uuid4()), session_id=session_id, status="ok")
    run.outcome.accuracy = accuracy
    with db.session() as session:
        return service.on_run_completed(session, run)


def test_failed_or_cancelled_analysis_keeps_no_sections(db: Database) -> None:
    cancelled = finish(db, start(db), status="cancelled")
    assert cancelled.status == "cancelled" and not cancelled.sections
    assert "nothing of it was kept" in cancelled.error_message
    failed = finish(db, start(db), status="timeout")
    assert failed.status == "failed" and not failed.sections
    completed = finish(db, start(db))
    assert completed.status == "completed" and [s.kind for s in completed.sections] == [
        "overview",
        "quality",
    ]
    with db.engine.connect() as conn:
        payloads = conn.execute(
            select(outbox.c.payload).where(outbox.c.subject == events.APPS_ANALYSIS_COMPLETED)
        ).scalars()
        statuses = sorted(apps_pb2.AnalysisCompleted.FromString(bytes(p)).status for p in payloads)
    assert statuses == ["cancelled", "completed", "failed"]


def test_recommendation_order_follows_evidence_from_similar_datasets(db: Database) -> None:
    # No evidence: the program's order (by severity) stands.
    first = finish(db, start(db, session_id="s-a"))
    assert order(first) == ["encode", "impute"]

    # Learners on datasets of this neighbourhood apply "impute" and their next run improves;
    # they ignore "encode".
    for n in range(3):
        session_id = f"s-{n}"
        analysis = finish(db, start(db, session_id=session_id))
        notebook_run(db, session_id, 0.70)  # the score before
        assert decide(db, analysis, "impute", "applied") == "# impute"
        assert decide(db, analysis, "encode", "dismissed") == ""
        assert notebook_run(db, session_id, 0.80) == 1  # the next run improved

    later = finish(db, start(db, session_id="s-later"))
    assert order(later) == ["impute", "encode"], "evidence now puts impute first"
    quality = json.loads(next(s for s in later.sections if s.kind == "quality").data_json)
    impute = quality["recommendations"][0]
    assert impute["rank_weight"] > 1.0 > quality["recommendations"][1]["rank_weight"]
    assert "helped the next run 3×" in impute["evidence"]


def test_deciding_twice_counts_once_and_app_runs_decide_nothing(db: Database) -> None:
    analysis = finish(db, start(db, session_id="s-x"))
    notebook_run(db, "s-x", 0.9)
    decide(db, analysis, "impute", "applied")
    decide(db, analysis, "impute", "applied")
    app_run = run_pb2.Run(id="r-app", session_id="s-x", status="ok", app_slug="explorer")
    app_run.outcome.accuracy = 0.99
    with db.session() as session:
        assert service.on_run_completed(session, app_run) == 0
    assert notebook_run(db, "s-x", 0.85) == 1
    with db.session() as session:
        outcome = AppsRepository(session).outcome(HOOD, "impute")
        assert (outcome.applied, outcome.improved, outcome.not_improved) == (1, 0, 1)


def test_analyses_cut_off_by_a_restart_end_failed_with_nothing_kept(db: Database) -> None:
    interrupted = start(db)
    done = finish(db, start(db))
    with db.session() as session:
        assert service.fail_interrupted(session) == 1
    with db.session() as session:
        request = pb.GetAnalysisRequest(analysis_id=interrupted, owner_id="learner-1")
        analysis = service.get(session, request).analysis
        again = service.get(
            session, pb.GetAnalysisRequest(analysis_id=done.id, owner_id="learner-1")
        )
    assert analysis.status == "failed" and not analysis.sections
    assert "interrupted" in analysis.error_message
    assert again.analysis.status == "completed"
