"""Deploying a run: its code (from the leaderboard's ledger) re-run by the export program in
the execution sandbox, the ONNX model that comes back checked by the loader, benchmarked, and
stored as a new deployment or version. Nothing from the learner's code runs here."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
from ascent.execution.v1 import execution_service_pb2 as execution_pb
from ascent.serving.v1 import serving_service_pb2 as pb
from ascent.types.v1 import run_pb2

from services.common.db import Database
from services.common.errors import AscentError
from services.common.ml.model_export import Feature, assemble, export_program
from services.common.outbox import OutboxRelay
from services.common.report_sections import sections_of
from services.serving import benchmark, judging, service, simulator
from services.serving.clients import ExecutionClient, LeaderboardClient
from services.serving.loader import load_model
from services.serving.repository import ServingRepository
from services.serving.service import ModelCache, Predictor, RunInfo

METRICS = ("accuracy", "precision", "recall", "f1_score", "rmse", "mae", "r2")


def run_info(run: run_pb2.Run) -> RunInfo:
    outcome = run.outcome
    metrics: dict[str, Any] = {m: getattr(outcome, m) for m in METRICS if outcome.HasField(m)}
    if outcome.task_type:
        metrics["task_type"] = outcome.task_type
    return RunInfo(
        run_id=run.id,
        owner_id=run.owner_id,
        session_id=run.session_id,
        name=run.name,
        app_slug=run.app_slug,
        challenge_slug=run.challenge_slug,
        dataset_sha256=run.dataset_sha256,
        metrics=metrics,
        challenge_version=run.challenge_version,
    )


class DeployFlow:
    def __init__(
        self,
        db: Database,
        execution: ExecutionClient,
        leaderboard: LeaderboardClient,
        cache: ModelCache,
        relay: OutboxRelay | None,
        wall_seconds: float,
    ) -> None:
        self.db = db
        self.execution = execution
        self.leaderboard = leaderboard
        self.cache = cache
        self.relay = relay
        self.wall_seconds = wall_seconds

    async def deploy(self, request: pb.DeployRequest) -> pb.DeployResponse:
        if not request.owner_id or not request.run_id:
            raise AscentError("invalid_argument", "owner_id and run_id are required.")
        run = await self.leaderboard.get_run(request.run_id)
        if run.owner_id != request.owner_id:
            raise AscentError("not_found", "Run not found.")
        if run.status != "ok":
            raise AscentError(
                "unprocessable",
                f"Only a run that finished can be deployed (this one: {run.status}).",
            )
        program = export_program(run.code)
        result = await self.execution.run(
            execution_pb.ExecuteRequest(
                run_id=str(uuid.uuid4()),
                session_id=run.session_id,
                owner_id=run.owner_id,
                name=f"Export of {run.name}"[:200],
                code=program,
                dataset_sha256=run.dataset_sha256,
                challenge_slug=run.challenge_slug,
                challenge_version=run.challenge_version,
                practice=bool(run.challenge_slug),
                # An export is no experiment: no board, XP or knowledge base sees it.
                ephemeral=True,
                wall_seconds=self.wall_seconds,
            )
        )
        sections = sections_of(result.stdout)
        if result.status != "ok" and not any(s.kind == "export_result" for s in sections):
            tail = (result.error.message or result.stderr[-300:]).strip()
            raise AscentError(
                "unprocessable", f"The export run ended with status {result.status}: {tail}"[:500]
            )
        exported = assemble(sections)
        loaded = await asyncio.to_thread(
            load_model, exported.onnx, exported.features, exported.input_mode
        )
        figures = await asyncio.to_thread(benchmark.measure, loaded)
        info = run_info(run)
        # A challenge's run: the platform scores the deployed model on the hidden rows.
        judgement = (
            await judging.judge(self.execution, loaded, run.challenge_slug, run.challenge_version)
            if run.challenge_slug
            else None
        )

        def store(session: Any) -> tuple[pb.Deployment, pb.ModelVersion, str]:
            deployment, version, key = service.store_version(
                session,
                request.owner_id,
                request.deployment_id,
                request.name,
                info,
                exported,
                figures,
                judgement,
            )
            return (
                service.get_deployment(session, request.owner_id, deployment.id, ""),
                service.version_pb(version),
                key,
            )

        deployment, version, key = await self.db.run(store)
        self.cache.invalidate(deployment.id)
        if self.relay is not None:
            self.relay.wake()
        return pb.DeployResponse(deployment=deployment, version=version, api_key=key)


class SimulateFlow:
    """The traffic simulator (simulator.py): reads the current version's columns and training
    reference, sends the sampled requests through the predict path in a worker thread, then
    flushes the prediction log so the drift report and A/B metrics asked for next see them."""

    def __init__(
        self,
        db: Database,
        predictor: Predictor,
        flush: Callable[[], Awaitable[int]],
        budget_seconds: float,
    ) -> None:
        self.db = db
        self.predictor = predictor
        self.flush = flush
        self.budget_seconds = budget_seconds
        self.running = simulator.Simulations()

    async def simulate(self, request: pb.SimulateTrafficRequest) -> pb.SimulateTrafficResponse:
        if not request.owner_id:
            raise AscentError("invalid_argument", "owner_id is required.")
        requests, rows, seed = simulator.check_request(request)

        def read(session: Any) -> tuple[int, tuple[Feature, ...], dict[str, Any]]:
            repo = ServingRepository(session)
            deployment = repo.owned(request.owner_id, request.deployment_id)
            version = repo.version(deployment.id, deployment.current_version)
            if version is None:
                raise AscentError("not_found", "Version not found.")
            return (
                version.version,
                service.features_of(version),
                json.loads(version.reference_json or "{}"),
            )

        version, features, reference = await self.db.run(read)
        if not reference:
            raise AscentError(
                "unprocessable",
                "This version has no training reference (deployed before drift monitoring): "
                "deploy the run again to simulate traffic.",
            )
        d = request.drift
        spec = simulator.check_drift(
            simulator.DriftSpec(d.kind, d.feature, d.amount, d.category_a, d.category_b),
            features,
            reference,
        )
        sampler = simulator.RowSampler(features, reference, spec, np.random.default_rng(seed))
        deployment_id = request.deployment_id
        self.running.start(deployment_id)
        try:
            tally, answered, truncated, seconds = await asyncio.to_thread(
                simulator.send,
                sampler,
                requests,
                rows,
                lambda body, rid: self.predictor.predict_as_owner(deployment_id, body, rid),
                self.budget_seconds,
            )
        finally:
            self.running.end(deployment_id)
        await self.flush()
        return pb.SimulateTrafficResponse(
            requested=requests,
            sent=tally.sent,
            ok=tally.ok,
            errors=tally.errors,
            waited=tally.waited,
            rows=tally.rows,
            seconds=seconds,
            truncated=truncated,
            answered=[pb.VersionCount(version=v, requests=n) for v, n in sorted(answered.items())],
            drift=simulator.describe(spec, reference),
            version=version,
            seed=seed,
            first_error=tally.first_error,
        )
