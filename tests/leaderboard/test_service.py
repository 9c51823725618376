"""Leaderboard logic on a real database: scoring, ranking, new-best detection, idempotency."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Unpack

import pytest
from ascent.events.v1 import leaderboard_pb2
from ascent.types.v1 import run_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import func, select

from services.common import events
from services.common.db import Database
from services.common.errors import AscentError
from services.common.outbox import outbox, process_once
from services.leaderboard import service
from services.leaderboard.models import RunRecord
from tests.support import protos
from tests.support.protos import RunFields

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def make_run(
    session_id: str,
    /,
    *,
    accuracy: float | None = None,
    r2: float | None = None,
    minutes: int = 0,
    run_id: str | None = None,
    **fields: Unpack[RunFields],
) -> run_pb2.Run:
    outcome = run_pb2.RunOutcome(model_type="LogisticRegression")
    if accuracy is not None:
        outcome.accuracy = accuracy
    if r2 is not None:
        outcome.r2 = r2
    created = Timestamp()
    created.FromDatetime(T0 + timedelta(minutes=minutes))
    defaults: RunFields = {
        "id": run_id or f"run-{uuid.uuid4().hex[:12]}",
        "session_id": session_id,
        "owner_id": "learner-1",
        "name": f"run at +{minutes}m",
        "code": "print('hi')",
        "outcome": outcome,
        "status": "ok",
        "created_at": created,
    }
    return protos.make_run(defaults, **fields)


def record(db: Database, run: run_pb2.Run) -> service.RecordResult:
    with db.session() as session:
        return service.record_run(session, run)


def best_events(db: Database, board_id: str) -> list[leaderboard_pb2.BestAchieved]:
    with db.engine.connect() as conn:
        payloads = conn.execute(
            select(outbox.c.payload)
            .where(outbox.c.subject == events.BEST_ACHIEVED)
            .order_by(outbox.c.id)
        ).scalars()
        found = [leaderboard_pb2.BestAchieved.FromString(bytes(p)) for p in payloads]
    return [event for event in found if event.board_id == board_id]


@pytest.fixture
def board() -> str:
    return f"session-{uuid.uuid4().hex}"


def _score(outcome: run_pb2.RunOutcome) -> tuple[float | None, str | None]:
    record = service.to_record(run_pb2.Run(id="r", outcome=outcome))
    return record.score, record.metric


def test_score_prefers_accuracy_then_r2_else_unscored() -> None:
    assert _score(run_pb2.RunOutcome(accuracy=0.9, r2=0.5)) == (0.9, "accuracy")
    assert _score(run_pb2.RunOutcome(r2=0.5)) == (0.5, "r2")
    assert _score(run_pb2.RunOutcome(accuracy=0.0)) == (0.0, "accuracy")
    assert _score(run_pb2.RunOutcome()) == (None, None)


def test_list_runs_best_first_ties_by_earliest_unscored_last(db: Database, board: str) -> None:
    runs = {
        "b": make_run(board, accuracy=0.8, minutes=1),
        "a_late": make_run(board, accuracy=0.9, minutes=5),
        "a_early": make_run(board, accuracy=0.9, minutes=2),
        "none_old": make_run(board, minutes=0),
        "none_new": make_run(board, minutes=9),
        "r2": make_run(board, r2=0.5, minutes=3),
    }
    for run in runs.values():
        record(db, run)
    record(db, make_run(f"other-{board}", accuracy=1.0))

    with db.session() as session:
        listed = service.list_runs(session, board)

    order = ["a_early", "a_late", "b", "r2", "none_new", "none_old"]
    assert [run.id for run in listed] == [runs[key].id for key in order]


def test_run_round_trips_without_figures_and_keeps_its_created_at(db: Database, board: str) -> None:
    run = make_run(
        board,
        accuracy=0.75,
        minutes=7,
        has_error=True,
        status="error",
        error=run_pb2.RunError(type="ValueError", message="bad", traceback=["line 1", "line 2"]),
        figures=[b"\x89PNG..."],
        is_improved=True,
        parent_run_id="parent-1",
        duration_ms=1234,
    )
    run.outcome.precision = 0.5
    record(db, run)
    with db.session() as session:
        stored = service.get_run(session, run.id)

    expected = run_pb2.Run()
    expected.CopyFrom(run)
    del expected.figures[:]
    assert stored == expected
    assert stored.created_at.ToDatetime(tzinfo=UTC) == T0 + timedelta(minutes=7)


def test_best_achieved_only_on_strict_improvement(db: Database, board: str) -> None:
    first = make_run(board, accuracy=0.8, minutes=0)
    assert record(db, make_run(board, minutes=0)).best is False, "unscored never wins"
    assert record(db, first).best is True
    assert record(db, make_run(board, accuracy=0.8, minutes=1)).best is False, "a tie is no win"
    assert record(db, make_run(board, accuracy=0.7, minutes=2)).best is False
    better = make_run(board, accuracy=0.85, minutes=3)
    assert record(db, better).best is True

    found = best_events(db, board)
    assert [(e.run_id, e.score, e.previous_run_id) for e in found] == [
        (first.id, 0.8, ""),
        (better.id, 0.85, first.id),
    ]
    assert found[1].previous_score == pytest.approx(0.8)
    assert found[1].owner_id == "learner-1"
    assert all(e.meta.event_id and e.meta.producer == "leaderboard" for e in found)


def test_a_new_best_is_only_measured_against_runs_of_its_metric(db: Database, board: str) -> None:
    # The starter on a regression target (accuracy 0.0), then the coach's R² 0.44: neither
    # beats the other, as scores of different metrics never compare (issue 13, item 10).
    starter = make_run(board, accuracy=0.0, minutes=0)
    assert record(db, starter).best is True
    ridge = make_run(board, r2=0.44, minutes=1)
    assert record(db, ridge).best is True
    assert record(db, make_run(board, r2=0.40, minutes=2)).best is False
    tuned = make_run(board, accuracy=0.3, minutes=3)
    assert record(db, tuned).best is True, "0.3 beats the accuracy 0.0, not the R² 0.44"
    found = best_events(db, board)
    assert [(e.run_id, e.previous_run_id) for e in found] == [
        (starter.id, ""),
        (ridge.id, ""),
        (tuned.id, starter.id),
    ]
    assert found[2].previous_score == 0.0


def test_duplicate_run_is_a_no_op(db: Database, board: str) -> None:
    run = make_run(board, accuracy=0.9)
    assert record(db, run) == service.RecordResult(recorded=True, best=True)
    # The same run re-published under a new event id changes nothing.
    assert record(db, run) == service.RecordResult(recorded=False)
    # The same event delivered twice is stopped by the inbox.
    event_id = str(uuid.uuid4())
    other = make_run(board, accuracy=0.95)
    for _ in range(2):
        process_once(
            db,
            "leaderboard-runs",
            events.RUN_COMPLETED,
            event_id,
            lambda s: service.record_run(s, other),
        )
    with db.engine.connect() as conn:
        count = conn.execute(
            select(func.count()).select_from(RunRecord).where(RunRecord.session_id == board)
        ).scalar_one()
    assert count == 2
    assert len(best_events(db, board)) == 2


def test_created_at_falls_back_to_the_event_time(db: Database, board: str) -> None:
    run = make_run(board, accuracy=0.5)
    run.ClearField("created_at")
    occurred = Timestamp()
    occurred.FromDatetime(T0)
    with db.session() as session:
        service.record_run(session, run, occurred)
        assert service.get_run(session, run.id).created_at == occurred


def test_get_run_unknown_is_not_found(db: Database) -> None:
    with db.session() as session, pytest.raises(AscentError) as err:
        service.get_run(session, "no-such-run")
    assert err.value.code == "not_found"


def test_leaderboard_ranks_scored_runs_with_metric_and_limit(db: Database, board: str) -> None:
    low = make_run(board, accuracy=0.6, minutes=0)
    high = make_run(board, accuracy=0.9, minutes=1, is_improved=True)
    mid = make_run(board, accuracy=0.7, minutes=2)
    for run in (low, high, mid, make_run(board, minutes=3)):
        record(db, run)

    with db.session() as session:
        full = service.leaderboard(session, board, 0)
        top2 = service.leaderboard(session, board, 2)
        empty = service.leaderboard(session, f"empty-{board}", 5)

    assert full.board_id == board
    assert full.metric == "accuracy"
    assert [(e.rank, e.run_id) for e in full.entries] == [(1, high.id), (2, mid.id), (3, low.id)]
    assert full.entries[0].is_improved is True
    assert full.entries[0].score == pytest.approx(0.9)
    assert full.entries[0].model_type == "LogisticRegression"
    assert [e.run_id for e in top2.entries] == [high.id, mid.id]
    assert (empty.metric, list(empty.entries)) == ("", [])


def test_regression_board_uses_r2(db: Database, board: str) -> None:
    record(db, make_run(board, r2=0.42))
    with db.session() as session:
        assert service.leaderboard(session, board, 10).metric == "r2"


def test_invalid_requests_are_invalid_argument(db: Database) -> None:
    with db.session() as session:
        for call in (
            lambda: service.list_runs(session, ""),
            lambda: service.leaderboard(session, "", 1),
            lambda: service.leaderboard(session, "b", -1),
            lambda: service.record_run(session, run_pb2.Run(id="x")),
        ):
            with pytest.raises(AscentError) as err:
                call()
            assert err.value.code == "invalid_argument"


def test_an_impossible_score_is_kept_unranked_with_its_reason(db: Database, board: str) -> None:
    good = make_run(board, accuracy=0.9, minutes=0)
    typo = make_run(board, accuracy=7.5, minutes=1)
    typo.outcome.unranked_reason = "Accuracy 7.5 is above 1, which is impossible"
    nan = make_run(board, minutes=2)
    nan.outcome.unranked_reason = "Accuracy is nan, not a number: the run is not ranked."
    for run in (good, typo, nan):
        record(db, run)
    assert _score(typo.outcome) == (None, None)
    with db.session() as session:
        entries = service.leaderboard(session, board, 0).entries
        runs = {run.id: run for run in service.list_runs(session, board)}
    assert [(e.rank, e.run_id) for e in entries] == [(1, good.id)]
    assert set(runs) == {good.id, typo.id, nan.id}
    assert runs[typo.id].outcome.accuracy == 7.5
    assert "7.5 is above 1" in runs[typo.id].outcome.unranked_reason
    assert "nan" in runs[nan.id].outcome.unranked_reason
    assert runs[good.id].outcome.unranked_reason == ""
    assert best_events(db, board)[-1].run_id == good.id


def test_unchecked_impossible_score_is_not_ranked_either(db: Database, board: str) -> None:
    assert _score(run_pb2.RunOutcome(accuracy=7.5)) == (None, None)
    assert _score(run_pb2.RunOutcome(accuracy=0.9, rmse=-1.0)) == (None, None)
    assert _score(run_pb2.RunOutcome(r2=1.2)) == (None, None)


def test_the_displayed_value_round_trips(db: Database, board: str) -> None:
    run = make_run(board, accuracy=0.9)
    run.display.kind, run.display.type_name, run.display.text = "table", "DataFrame", "   a\n0  1"
    run.display.table.columns.append("a")
    run.display.table.index.append("0")
    run.display.table.rows.add(cells=["1"])
    run.display.table.total_rows, run.display.table.total_columns = 1, 1
    plain = make_run(board, accuracy=0.8)
    record(db, run)
    record(db, plain)
    with db.session() as session:
        assert service.get_run(session, run.id).display == run.display
        assert not service.get_run(session, plain.id).HasField("display")


IRIS = ""  # the starter's fallback: no CSV attached
WINE = "a" * 64


def test_runs_are_ranked_within_their_dataset(db: Database, board: str) -> None:
    # The seed's demo order: two Iris runs, then wine uploaded, run, and improved by the AI.
    iris_best = make_run(board, accuracy=1.0, minutes=0, dataset_sha256=IRIS)
    iris_second = make_run(board, accuracy=0.9667, minutes=1, dataset_sha256=IRIS)
    wine_first = make_run(board, accuracy=0.9444, minutes=2, dataset_sha256=WINE)
    wine_ai = make_run(board, accuracy=1.0, minutes=3, dataset_sha256=WINE, is_improved=True)
    wine_crash = make_run(board, minutes=4, dataset_sha256=WINE)
    results = [record(db, run) for run in (iris_best, iris_second, wine_first, wine_ai)]
    record(db, wine_crash)

    with db.session() as session:
        ranked = service.ranked_runs(session, board)
        wine_only = service.ranked_runs(session, board, WINE)
        iris_only = service.ranked_runs(session, board, IRIS)
        wine_board = service.leaderboard(session, board, 0, WINE)
        whole_board = service.leaderboard(session, board, 0)

    # Dataset by dataset (the one run last first), each best first; ranks restart per dataset.
    assert [(run.id, rank) for run, rank in ranked] == [
        (wine_ai.id, 1),
        (wine_first.id, 2),
        (wine_crash.id, 0),
        (iris_best.id, 1),
        (iris_second.id, 2),
    ]
    assert [(run.id, rank) for run, rank in wine_only] == [
        (wine_ai.id, 1),
        (wine_first.id, 2),
        (wine_crash.id, 0),
    ]
    assert [run.id for run, _ in iris_only] == [iris_best.id, iris_second.id]
    assert [(e.rank, e.run_id, e.dataset_sha256) for e in wine_board.entries] == [
        (1, wine_ai.id, WINE),
        (2, wine_first.id, WINE),
    ]
    assert [(e.rank, e.dataset_sha256) for e in whole_board.entries] == [
        (1, WINE),
        (2, WINE),
        (1, IRIS),
        (2, IRIS),
    ]
    assert all(e.metric == "accuracy" for e in whole_board.entries)
    # The first run on wine is wine's best (Iris's 100 % is no bar for it); the AI run then
    # beats it, on wine.
    assert [result.best for result in results] == [True, False, True, True]
    bests = best_events(db, board)
    assert [(e.run_id, e.dataset_sha256) for e in bests] == [
        (iris_best.id, IRIS),
        (wine_first.id, WINE),
        (wine_ai.id, WINE),
    ]
    assert bests[2].previous_run_id == wine_first.id


def test_accuracy_and_r2_runs_on_one_dataset_are_ranked_apart(db: Database, board: str) -> None:
    # The starter's accuracy on a regression target, then real R² runs: never one ranking.
    starter = make_run(board, accuracy=0.02, minutes=0, dataset_sha256=WINE)
    ridge = make_run(board, r2=0.44, minutes=1, dataset_sha256=WINE)
    forest = make_run(board, r2=0.51, minutes=2, dataset_sha256=WINE)
    for run in (starter, ridge, forest):
        record(db, run)
    with db.session() as session:
        ranked = service.ranked_runs(session, board)
    assert [(run.id, rank) for run, rank in ranked] == [
        (starter.id, 1),
        (forest.id, 1),
        (ridge.id, 2),
    ]
