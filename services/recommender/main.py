from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from ascent.recommender.v1 import recommender_service_pb2_grpc as pb_grpc

from services.common import events
from services.common.datasets import DatasetStore
from services.common.runtime import Runtime, run
from services.recommender.apps_evidence import CONSUMERS as APPS_CONSUMERS
from services.recommender.apps_evidence import AppsEvidenceHandler
from services.recommender.automl import AUTOML_CONSUMER, AutomlTrialsHandler
from services.recommender.config import Settings
from services.recommender.flows import ensure_profile
from services.recommender.handlers import (
    DATASETS_CONSUMER,
    FEEDBACK_CONSUMER,
    LEARNERS_CONSUMER,
    RUNS_CONSUMER,
    DatasetsHandler,
    FeedbackHandler,
    LearnersHandler,
    RunsHandler,
)
from services.recommender.progress_client import ProgressClient
from services.recommender.service import PRIORS_PATH, Priors, RecommenderService
from services.recommender.servicer import RecommenderServicer

SERVICE_NAME = "ascent.recommender.v1.RecommenderService"


async def setup(rt: Runtime) -> None:
    assert rt.db is not None
    settings = rt.settings
    assert isinstance(settings, Settings)
    priors_path = (
        None
        if settings.priors_path == "none"
        else Path(settings.priors_path)
        if settings.priors_path
        else PRIORS_PATH
    )
    # Profiles read datasets from this host's cache of the NATS object store; worker threads
    # fetch a missing one through the loop (services/common/datasets.py).
    store = DatasetStore(rt.common.datasets_dir, rt.bus, replicas=rt.common.nats_replicas)
    store.bind()
    service = RecommenderService(
        store,
        neighbours=settings.neighbours,
        default_limit=settings.default_limit,
        priors=Priors.load(priors_path),
        seed=settings.seed,
        explore=settings.explore,
    )
    progress = ProgressClient(rt.common.progress_addr, settings.progress_timeout)
    rt.on_close.append(progress.close)
    pb_grpc.add_RecommenderServiceServicer_to_server(
        RecommenderServicer(rt.db, service, progress), rt.server
    )
    rt.service_names.append(SERVICE_NAME)
    rt.consume(RUNS_CONSUMER, events.RUN_COMPLETED, RunsHandler(rt.db, service))
    rt.consume(FEEDBACK_CONSUMER, events.PROPOSAL_RATED, FeedbackHandler(rt.db, service))
    rt.consume(LEARNERS_CONSUMER, events.RUN_COMPLETED, LearnersHandler(rt.db))
    rt.consume(DATASETS_CONSUMER, events.DATASET_UPLOADED, DatasetsHandler(rt.db, service))
    # AutoML Trainer (issue 15): every trial of a search is an observation.
    rt.consume(AUTOML_CONSUMER, events.APPS_AUTOML_TRIAL, AutomlTrialsHandler(rt.db, service))
    # Apps (issue 14): recommendations shown/applied/evaluated, transformations measured,
    # configurations trained, per meta-feature neighbourhood.
    for durable, subject in APPS_CONSUMERS.items():
        rt.consume(durable, subject, AppsEvidenceHandler(rt.db, durable))
    # Profiling imports scikit-learn's models on first use (seconds on a busy machine, more
    # than the coach waits for advice): profile the built-in Iris now, in the background.
    warm_up = asyncio.create_task(asyncio.to_thread(ensure_profile, rt.db, service, ""))

    async def stop_warm_up() -> None:
        warm_up.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await warm_up

    rt.on_close.append(stop_warm_up)


def main() -> None:
    run("recommender", Settings(), setup, migrations="services.recommender.migrations")
