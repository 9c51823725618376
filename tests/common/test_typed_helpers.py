"""The helpers that give the type checker what protobuf and SQLAlchemy leave untyped."""

from __future__ import annotations

from pathlib import Path

import pytest
from ascent.analytics.v1 import analytics_service_pb2
from ascent.events.v1 import gateway_pb2, meta_pb2
from ascent.types.v1 import run_pb2
from sqlalchemy import inspect, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common import events
from services.common.db import Database, create_table, table_of
from services.execution.protocol import merge_report


class _Base(DeclarativeBase):
    pass


class _Widget(_Base):
    __tablename__ = "typed_helpers_widget"
    id: Mapped[int] = mapped_column(primary_key=True)


def test_meta_of_reads_field_one_of_an_event() -> None:
    event = gateway_pb2.SessionCreated(meta=meta_pb2.EventMeta(event_id="e-1"), session_id="s")
    assert events.meta_of(event).event_id == "e-1"
    # The returned meta is the event's own, not a copy: filling it fills the event.
    events.meta_of(event).producer = "gateway"
    assert event.meta.producer == "gateway"


def test_meta_of_refuses_a_message_without_meta() -> None:
    with pytest.raises(ValueError, match="DashboardFilter carries no EventMeta"):
        events.meta_of(analytics_service_pb2.DashboardFilter())


def test_create_table_adds_a_missing_table_and_leaves_an_existing_one(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'svc.db'}")
    with db.engine.begin() as conn:
        create_table(conn, _Widget)
        conn.execute(text("INSERT INTO typed_helpers_widget (id) VALUES (7)"))
    with db.engine.begin() as conn:
        create_table(conn, _Widget)
        assert inspect(conn).has_table("typed_helpers_widget")
        assert conn.execute(text("SELECT id FROM typed_helpers_widget")).all() == [(7,)]


def test_create_table_refuses_a_model_mapped_to_a_query(tmp_path: Path) -> None:
    class _Recent(_Base):
        __table__ = _Widget.__table__.select().where(text("id > 5")).subquery()

    with pytest.raises(TypeError, match="_Recent is not mapped to a table"):
        table_of(_Recent)
    db = Database(f"sqlite:///{tmp_path / 'svc.db'}")
    with db.engine.begin() as conn, pytest.raises(TypeError, match="not mapped to a table"):
        create_table(conn, _Recent)
    assert table_of(_Widget).name == "typed_helpers_widget"


def test_merge_report_ignores_sections_of_the_wrong_shape() -> None:
    outcome = run_pb2.RunOutcome(accuracy=0.5, model_type="Printed")
    merged = merge_report(outcome, {"metrics": [0.9], "model": "RandomForest", "task_type": 3})
    assert merged.accuracy == 0.5
    assert merged.model_type == "Printed"
    assert not merged.pipeline_json
    assert not merged.task_type
    merged = merge_report(outcome, {"metrics": None, "model": None})
    assert merged.accuracy == 0.5


def test_merge_report_takes_task_type_from_metrics() -> None:
    merged = merge_report(run_pb2.RunOutcome(), {"metrics": {"r2": 0.8, "task_type": "regression"}})
    assert merged.task_type == "regression"
    assert merged.r2 == 0.8
