"""Wiring of the progress process: load the curriculum, serve gRPC, consume runs."""

from __future__ import annotations

import asyncio
import logging

from ascent.progress.v1 import progress_service_pb2 as pb
from ascent.progress.v1 import progress_service_pb2_grpc as pb_grpc

from services.common import events
from services.common.db import Database
from services.common.runtime import Runtime, run
from services.progress import service
from services.progress.config import Settings
from services.progress.curriculum import load_catalog
from services.progress.handlers import (
    AUTHORING_DURABLE,
    DEPLOYMENTS_DURABLE,
    DRIFT_DURABLE,
    FEEDBACK_DURABLE,
    RANKS_DURABLE,
    RUNS_DURABLE,
    AuthoringHandler,
    ChallengeRankedHandler,
    DeploymentCreatedHandler,
    DriftDetectedHandler,
    ProposalRatedHandler,
    RunCompletedHandler,
)
from services.progress.servicer import ProgressServicer

log = logging.getLogger(__name__)

NAME = "progress"
MIGRATIONS = "services.progress.migrations"


def load_curriculum(db: Database, settings: Settings) -> None:
    """Mirror the curriculum files into the catalog tables (safe to repeat)."""
    catalog = load_catalog(settings.curriculum_dir)
    with db.session() as session:
        service.sync_catalog(session, catalog)
    log.info(
        "curriculum loaded",
        extra={
            "path": str(settings.curriculum_dir),
            "tracks": len(catalog.tracks),
            "challenges": sum(len(t.challenges) for t in catalog.tracks),
            "badges": len(catalog.badges),
        },
    )


async def setup(rt: Runtime) -> None:
    assert rt.db is not None
    settings = rt.settings if isinstance(rt.settings, Settings) else Settings()
    await asyncio.to_thread(load_curriculum, rt.db, settings)
    pb_grpc.add_ProgressServiceServicer_to_server(
        ProgressServicer(rt.db, settings, rt.relay), rt.server
    )
    rt.service_names.append(pb.DESCRIPTOR.services_by_name["ProgressService"].full_name)
    rt.consume(RUNS_DURABLE, events.RUN_COMPLETED, RunCompletedHandler(rt.db, rt.relay))
    rt.consume(RANKS_DURABLE, events.CHALLENGE_RANKED, ChallengeRankedHandler(rt.db, rt.relay))
    rt.consume(FEEDBACK_DURABLE, events.PROPOSAL_RATED, ProposalRatedHandler(rt.db, rt.relay))
    rt.consume(AUTHORING_DURABLE, "authoring.challenge.>", AuthoringHandler(rt.db))
    # -- Deployments (issue 16) --
    rt.consume(
        DEPLOYMENTS_DURABLE,
        events.SERVING_DEPLOYMENT_CREATED,
        DeploymentCreatedHandler(rt.db, rt.relay),
    )
    rt.consume(DRIFT_DURABLE, events.SERVING_DRIFT_DETECTED, DriftDetectedHandler(rt.db, rt.relay))


def main() -> None:
    run(NAME, Settings(), setup, migrations=MIGRATIONS)
