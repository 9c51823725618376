"""An app's run may ask for more wall time than a notebook run (the AutoML budget), up to
the app cap, with CPU seconds for two cores; a notebook run keeps the default cap."""

from __future__ import annotations

from typing import Any, cast

from ascent.execution.v1 import execution_service_pb2 as pb

from services.execution.config import Settings
from services.execution.servicer import ExecutionServicer


def limits(request: pb.ExecuteRequest) -> Any:
    settings = Settings(wall_seconds=30, cpu_seconds=30, app_wall_seconds=330)
    none = cast(Any, None)
    return ExecutionServicer(none, none, none, none, settings)._limits(request)


def test_app_runs_get_the_wall_time_they_ask_for_up_to_the_cap() -> None:
    automl = limits(pb.ExecuteRequest(app_slug="automl", wall_seconds=320))
    assert (automl.wall_seconds, automl.cpu_seconds) == (320, 640)
    capped = limits(pb.ExecuteRequest(app_slug="automl", wall_seconds=999))
    assert capped.wall_seconds == 330
    notebook = limits(pb.ExecuteRequest(wall_seconds=320))
    assert (notebook.wall_seconds, notebook.cpu_seconds) == (30, 30)
    short = limits(pb.ExecuteRequest(app_slug="explorer", wall_seconds=20))
    assert (short.wall_seconds, short.cpu_seconds) == (20, 20)
