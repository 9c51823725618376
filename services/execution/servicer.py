"""gRPC adapter of the execution service (services.common.rpc maps errors to statuses)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator

import grpc
from ascent.execution.v1 import execution_service_pb2 as pb
from ascent.execution.v1 import execution_service_pb2_grpc as pb_grpc
from ascent.types.v1 import run_pb2

from services.common import events
from services.common.datasets import DatasetStore
from services.common.db import Database
from services.common.errors import AscentError
from services.common.outbox import OutboxRelay, enqueue
from services.execution.challenges import (
    AuthoredBook,
    ChallengeBook,
    Resolved,
    grade_predictions,
    grade_submission,
)
from services.execution.config import Settings
from services.execution.sandbox import (
    Limits,
    OutputChunk,
    QueuePosition,
    RunSpec,
    SandboxBusy,
    SandboxError,
    SandboxPool,
    SandboxResult,
)
from services.execution.service import build_run, completed_event, validate_request

log = logging.getLogger(__name__)


class ExecutionServicer(pb_grpc.ExecutionServiceServicer):
    def __init__(
        self,
        pool: SandboxPool,
        store: DatasetStore,
        db: Database,
        relay: OutboxRelay,
        settings: Settings,
        challenges: ChallengeBook | None = None,
        authored: AuthoredBook | None = None,
    ) -> None:
        self.challenges = challenges
        self.authored = authored
        self.pool = pool
        self.store = store
        self.db = db
        self.relay = relay
        self.settings = settings

    def _limits(self, request: pb.ExecuteRequest) -> Limits:
        s = self.settings
        wall = s.wall_seconds
        cap = max(s.app_wall_seconds, s.wall_seconds) if request.app_slug else s.wall_seconds
        if request.wall_seconds > 0:
            wall = min(request.wall_seconds, cap)
        cpu = min(s.cpu_seconds, wall)
        if request.app_slug and wall > s.wall_seconds:
            cpu = wall * s.app_cpu_per_wall
        return Limits(
            wall_seconds=wall,
            cpu_seconds=cpu,
            memory_mb=s.memory_mb,
            max_processes=s.max_processes,
            file_size_mb=s.file_size_mb,
            open_files=s.open_files,
            output_bytes=s.output_bytes,
        )

    async def Execute(
        self,
        request: pb.ExecuteRequest,
        context: grpc.aio.ServicerContext[pb.ExecuteRequest, pb.ExecuteResponse],
    ) -> AsyncIterator[pb.ExecuteResponse]:
        validate_request(request, self.settings.max_code_chars)
        dataset = (
            str(await self.store.fetch(request.dataset_sha256))
            if request.dataset_sha256 and not request.challenge_slug
            else None
        )
        resolved: Resolved | None = None
        inputs: dict[str, str] = {}
        if dataset is not None:
            # The columnar copy of a large upload, beside the CSV (services/common/datasets.py).
            columnar = await self.store.fetch_columnar(request.dataset_sha256)
            if columnar is not None:
                inputs["uploaded.parquet"] = str(columnar)
        if request.challenge_slug:
            resolved = await self._challenge(request)
            # Only the public parts are mounted; the label files stay outside the run.
            inputs = resolved.files.learner_inputs()
        spec = RunSpec(
            run_id=request.run_id,
            owner_id=request.owner_id or "anonymous",
            code=request.code,
            dataset_path=dataset,
            input_files=inputs,
            limits=self._limits(request),
        )
        finished = False
        try:
            async for item in self.pool.run(spec):
                if isinstance(item, QueuePosition):
                    yield pb.ExecuteResponse(queued=pb.QueuePosition(position=item.position))
                elif isinstance(item, OutputChunk):
                    yield pb.ExecuteResponse(
                        output=pb.OutputChunk(stream=item.stream, text=item.text)
                    )
                elif isinstance(item, SandboxResult):
                    finished = True
                    run = build_run(request, item, spec.limits.wall_seconds)
                    if resolved is not None:
                        run.challenge_slug = resolved.spec.slug
                        run.challenge_version = resolved.version
                        if request.practice:
                            # Practice: same data, no grade, so no board/attempt/pass.
                            run.practice = True
                        else:
                            run.grade.CopyFrom(
                                await asyncio.to_thread(
                                    grade_submission, resolved.spec, resolved.files, item
                                )
                            )
                            run.grade.challenge_version = resolved.version
                    if not request.ephemeral:
                        await asyncio.to_thread(self._record, run)
                        self.relay.wake()
                    # One line per run: which host ran what (several execution hosts share
                    # the work; tests/hosts/cluster counts these).
                    log.info(
                        "run finished",
                        extra={"run_id": run.id, "status": run.status, "owner_id": run.owner_id},
                    )
                    yield pb.ExecuteResponse(result=run)
        except SandboxBusy as err:
            raise AscentError("busy", str(err)) from err
        except SandboxError as err:
            log.error("sandbox refused to run", extra={"error": str(err)})
            raise AscentError("unavailable", str(err)) from err
        finally:
            if not finished:
                # The caller went away (or the stream broke): do not leave the run burning a worker.
                with contextlib.suppress(Exception):
                    await self.pool.cancel(request.run_id)

    async def GetTestFeatures(
        self,
        request: pb.GetTestFeaturesRequest,
        context: grpc.aio.ServicerContext[pb.GetTestFeaturesRequest, pb.GetTestFeaturesResponse],
    ) -> pb.GetTestFeaturesResponse:
        resolved = await self._challenge(request)
        data = await asyncio.to_thread(resolved.files.test_features.read_bytes)
        return pb.GetTestFeaturesResponse(
            csv=data, challenge_version=resolved.version, metric=resolved.spec.metric
        )

    async def GradePredictions(
        self,
        request: pb.GradePredictionsRequest,
        context: grpc.aio.ServicerContext[pb.GradePredictionsRequest, pb.GradePredictionsResponse],
    ) -> pb.GradePredictionsResponse:
        try:
            predictions = json.loads(request.predictions_json)
        except ValueError:
            raise AscentError("invalid_argument", "predictions_json is not JSON.") from None
        if not isinstance(predictions, list):
            raise AscentError("invalid_argument", "predictions_json must be a JSON list.")
        resolved = await self._challenge(request)
        grade = await asyncio.to_thread(
            grade_predictions, resolved.spec, resolved.files, predictions
        )
        grade.challenge_version = resolved.version
        return pb.GradePredictionsResponse(grade=grade)

    async def _challenge(
        self,
        request: pb.ExecuteRequest | pb.GetTestFeaturesRequest | pb.GradePredictionsRequest,
    ) -> Resolved:
        """Curriculum challenges from the files; any other slug is asked of the authoring
        service. Drafts are gradable only by ephemeral (validation) runs, so no learner is
        ever graded on an unpublished version."""
        slug = request.challenge_slug
        if not slug:
            raise AscentError("invalid_argument", "challenge_slug is required.")
        if self.challenges is None and self.authored is None:
            raise AscentError("unavailable", "Challenges are not configured here.")
        if self.challenges is not None and slug in self.challenges.challenges:
            spec = self.challenges.get(slug)
            files = await asyncio.to_thread(self.challenges.files, spec)
            return Resolved(spec=spec, files=files, version=0)
        if self.authored is None:
            raise AscentError("not_found", f"Unknown challenge {slug!r}.")
        # Drafts: only an ephemeral (validation) run; the judging RPCs never grade one.
        allow_draft = isinstance(request, pb.ExecuteRequest) and request.ephemeral
        return await self.authored.resolve(slug, request.challenge_version, allow_draft)

    def _record(self, run: run_pb2.Run) -> None:
        """The run-completed fact commits before the caller sees the result."""
        with self.db.session() as session:
            enqueue(session, "execution", events.RUN_COMPLETED, completed_event(run))

    async def Cancel(
        self,
        request: pb.CancelRequest,
        context: grpc.aio.ServicerContext[pb.CancelRequest, pb.CancelResponse],
    ) -> pb.CancelResponse:
        return pb.CancelResponse(found=await self.pool.cancel(request.run_id))
