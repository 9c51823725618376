"""Wiring of the apps process."""

from __future__ import annotations

import asyncio

from ascent.apps.v1 import apps_service_pb2 as pb
from ascent.apps.v1 import apps_service_pb2_grpc as pb_grpc

from services.apps import service
from services.apps.catalog import load_catalog
from services.apps.clients import ExecutionClient, ProgressClient, RecommenderClient
from services.apps.config import Settings
from services.apps.flows import AnalysisRunner
from services.apps.handlers import RUNS_DURABLE, RunCompletedHandler
from services.apps.servicer import AppsServicer
from services.common import events
from services.common.db import Database
from services.common.runtime import Runtime, run

NAME = "apps"
MIGRATIONS = "services.apps.migrations"


def _fail_interrupted(db: Database) -> None:
    with db.session() as session:
        service.fail_interrupted(session)


async def setup(rt: Runtime) -> None:
    assert rt.db is not None
    settings = rt.settings if isinstance(rt.settings, Settings) else Settings()
    # One apps process owns the analyses it runs: any still "running" were cut off by a stop.
    await asyncio.to_thread(_fail_interrupted, rt.db)
    execution = ExecutionClient(
        rt.common.execution_addr, settings.execute_timeout, settings.rpc_timeout
    )
    progress = ProgressClient(rt.common.progress_addr, settings.rpc_timeout)
    # The evidence of similar datasets comes from the recommender's knowledge base.
    recommender = RecommenderClient(rt.common.recommender_addr, settings.rpc_timeout)
    runner = AnalysisRunner(rt.db, execution, rt.relay, settings.wall_seconds, recommender)
    # Running analyses end (as failed, nothing half stored) before the clients close.
    rt.on_close.extend([runner.close, execution.close, progress.close, recommender.close])
    servicer = AppsServicer(
        rt.db, load_catalog(settings.catalog), runner, progress, rt.relay, settings.sample_rows
    )
    pb_grpc.add_AppsServiceServicer_to_server(servicer, rt.server)
    rt.service_names.append(pb.DESCRIPTOR.services_by_name["AppsService"].full_name)
    rt.consume(RUNS_DURABLE, events.RUN_COMPLETED, RunCompletedHandler(rt.db, rt.relay))


def main() -> None:
    run(NAME, Settings(), setup, migrations=MIGRATIONS)
