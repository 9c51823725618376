"""Wiring of the serving process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta

from ascent.serving.v1 import serving_service_pb2 as pb
from ascent.serving.v1 import serving_service_pb2_grpc as pb_grpc

from services.common.db import Database
from services.common.outbox import OutboxRelay
from services.common.runtime import Runtime, run
from services.serving import service
from services.serving.clients import ExecutionClient, LeaderboardClient
from services.serving.config import Settings
from services.serving.flows import DeployFlow, SimulateFlow
from services.serving.limits import RateLimiter
from services.serving.service import ModelCache, PredictionLog, Predictor, Served
from services.serving.servicer import ServingServicer

NAME = "serving"
MIGRATIONS = "services.serving.migrations"
AGE_PRUNE_SECONDS = 60.0
log = logging.getLogger(__name__)


class LogWriter:
    """Writes the prediction log in batches off the predict path, every `interval` seconds
    (and once more at shutdown)."""

    def __init__(
        self, db: Database, log: PredictionLog, relay: OutboxRelay | None, settings: Settings
    ) -> None:
        self.db = db
        self.log = log
        self.relay = relay
        self.settings = settings
        self.served: set[tuple[str, int]] = set()
        self._last_age_prune = 0.0
        self._task: asyncio.Task[None] | None = None
        # One batch at a time: a flush asked for by feedback (or a drift report) must wait for
        # a batch the loop drained a moment before to be committed, or it finds nothing to
        # write while the rows it needs are still in flight.
        self._writing = asyncio.Lock()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def flush(self) -> int:
        async with self._writing:
            return await self._write_batch()

    async def _write_batch(self) -> int:
        entries = self.log.drain()
        if not entries:
            return 0
        now = time.monotonic()
        prune_age = now - self._last_age_prune >= AGE_PRUNE_SECONDS
        retention = timedelta(days=self.settings.log_retention_days)
        newly = await self.db.run(
            lambda s: service.write_log(
                s,
                entries,
                self.served,
                self.settings.log_max_per_deployment,
                retention,
                prune_age,
            )
        )
        if prune_age:
            self._last_age_prune = now
        self.served.update(newly)
        if newly and self.relay is not None:
            self.relay.wake()
        return len(entries)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.log_flush_seconds)
            try:
                await self.flush()
            except Exception:  # a failed batch is logged and dropped; serving goes on
                log.exception("prediction log write failed")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):
            await self.flush()


async def setup(rt: Runtime) -> None:
    assert rt.db is not None
    db = rt.db
    settings = rt.settings if isinstance(rt.settings, Settings) else Settings()

    def load(deployment_id: str) -> Served | None:
        with db.session() as session:
            return service.load_served(session, deployment_id)

    cache = ModelCache(load, settings.cache_models)
    prediction_log = PredictionLog(settings.log_queue)
    predictor = Predictor(
        cache,
        RateLimiter(settings.rate_per_second, settings.rate_burst),
        prediction_log,
        settings.max_rows,
        settings.max_body_bytes,
        settings.log_rows,
    )
    execution = ExecutionClient(rt.common.execution_addr, settings.execute_timeout)
    leaderboard = LeaderboardClient(rt.common.leaderboard_addr, settings.rpc_timeout)
    flow = DeployFlow(db, execution, leaderboard, cache, rt.relay, settings.export_wall_seconds)
    writer = LogWriter(db, prediction_log, rt.relay, settings)
    writer.start()
    rt.on_close.extend([writer.close, execution.close, leaderboard.close])
    simulate = SimulateFlow(db, predictor, writer.flush, settings.simulate_wall_seconds)
    servicer = ServingServicer(db, flow, predictor, settings, writer.flush, simulate)
    pb_grpc.add_ServingServiceServicer_to_server(servicer, rt.server)
    rt.service_names.append(pb.DESCRIPTOR.services_by_name["ServingService"].full_name)


def main() -> None:
    run(NAME, Settings(), setup, migrations=MIGRATIONS)
