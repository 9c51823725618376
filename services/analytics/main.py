"""Wiring of the analytics process."""

from __future__ import annotations

from ascent.analytics.v1 import analytics_service_pb2 as pb
from ascent.analytics.v1 import analytics_service_pb2_grpc as pb_grpc

from services.analytics import handlers
from services.analytics.config import Settings
from services.analytics.handlers import ALL_DURABLE, ALL_SUBJECTS, EventRecorder
from services.analytics.servicer import AnalyticsServicer
from services.common.runtime import Runtime, run

NAME = "analytics"
MIGRATIONS = "services.analytics.migrations"


async def setup(rt: Runtime) -> None:
    assert rt.db is not None
    pb_grpc.add_AnalyticsServiceServicer_to_server(AnalyticsServicer(rt.db, rt.bus), rt.server)
    rt.service_names.append(pb.DESCRIPTOR.services_by_name["AnalyticsService"].full_name)
    rt.consume_batches(ALL_DURABLE, ALL_SUBJECTS, EventRecorder(rt.db), handlers.BATCH)


def main() -> None:
    run(NAME, Settings(), setup, migrations=MIGRATIONS)
