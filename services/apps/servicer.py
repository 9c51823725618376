"""gRPC adapter of the apps service (services.common.rpc maps errors to statuses)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

import grpc
from ascent.apps.v1 import apps_service_pb2 as pb
from ascent.apps.v1 import apps_service_pb2_grpc as pb_grpc

from services.apps import evidence, explanations, service
from services.apps.catalog import AppSpec, find
from services.apps.clients import ProgressClient
from services.apps.flows import AnalysisRunner
from services.apps.programs import ELSEWHERE, PROGRAMS, ProgramRequest, build_program, parse_options
from services.apps.programs.automl import wall_seconds as automl_wall_seconds
from services.apps.repository import AppsRepository
from services.common.db import Database
from services.common.errors import AscentError
from services.common.ml.hyperparameters import MODELS
from services.common.outbox import OutboxRelay

log = logging.getLogger(__name__)


class AppsServicer(pb_grpc.AppsServiceServicer):
    def __init__(
        self,
        db: Database,
        catalog: tuple[AppSpec, ...],
        runner: AnalysisRunner,
        progress: ProgressClient,
        relay: OutboxRelay | None,
        sample_rows: int,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.runner = runner
        self.progress = progress
        self.relay = relay
        self.sample_rows = sample_rows

    async def _passed(self, learner_id: str) -> int | None:
        """The learner's passed challenges; None when progress cannot say (then only open
        apps are open: a locked app stays locked rather than opening by accident)."""
        if all(app.unlock.open for app in self.catalog) or not learner_id:
            return 0
        try:
            return await self.progress.challenges_passed(learner_id)
        except AscentError:
            log.warning("progress unavailable: only open apps are unlocked")
            return None

    def _info(self, app: AppSpec, passed: int | None) -> pb.AppInfo:
        unlocked = app.unlock.open or (passed is not None and app.unlock.allows(passed))
        return pb.AppInfo(
            slug=app.slug,
            title=app.title,
            concept=app.concept,
            summary=app.summary,
            unlocked=unlocked,
            unlock_text=app.unlock.text(),
            available=app.available and (app.slug in PROGRAMS or app.slug in ELSEWHERE),
        )

    async def ListApps(
        self,
        request: pb.ListAppsRequest,
        context: grpc.aio.ServicerContext[pb.ListAppsRequest, pb.ListAppsResponse],
    ) -> pb.ListAppsResponse:
        passed = await self._passed(request.learner_id)
        return pb.ListAppsResponse(apps=[self._info(app, passed) for app in self.catalog])

    def _program(self, request: pb.StartAnalysisRequest) -> str:
        return build_program(
            request.app_slug,
            ProgramRequest(
                target=request.target,
                options=parse_options(request.options_json),
                sample_rows=self.sample_rows,
            ),
        )

    async def GetProgram(
        self,
        request: pb.StartAnalysisRequest,
        context: grpc.aio.ServicerContext[pb.StartAnalysisRequest, pb.GetProgramResponse],
    ) -> pb.GetProgramResponse:
        find(self.catalog, request.app_slug)
        return pb.GetProgramResponse(
            code=self._program(request), options_json=request.options_json or "{}"
        )

    async def StartAnalysis(
        self,
        request: pb.StartAnalysisRequest,
        context: grpc.aio.ServicerContext[pb.StartAnalysisRequest, pb.AnalysisEvent],
    ) -> AsyncIterator[pb.AnalysisEvent]:
        app = find(self.catalog, request.app_slug)
        if not request.owner_id or not request.session_id:
            raise AscentError("invalid_argument", "An analysis needs its owner and session.")
        info = self._info(app, await self._passed(request.owner_id))
        if not info.available:
            raise AscentError("unprocessable", f"{app.title} is not available yet.")
        if not info.unlocked:
            raise AscentError("forbidden", f"{app.title} is locked: {info.unlock_text}.")
        if not request.dataset_sha256:
            raise AscentError(
                "unprocessable",
                "This session has no dataset yet: upload a CSV in the notebook first.",
            )
        live = await self.runner.start(
            request, self._program(request), app.title, app_wall_seconds(request)
        )
        # Leaving (the caller cancels this stream) stops the listening only.
        async for event in live.events():
            yield event

    async def CancelAnalysis(
        self,
        request: pb.CancelAnalysisRequest,
        context: grpc.aio.ServicerContext[pb.CancelAnalysisRequest, pb.CancelAnalysisResponse],
    ) -> pb.CancelAnalysisResponse:
        found = await self.runner.cancel(request.analysis_id, request.owner_id)
        return pb.CancelAnalysisResponse(found=found)

    async def GetAnalysis(
        self,
        request: pb.GetAnalysisRequest,
        context: grpc.aio.ServicerContext[pb.GetAnalysisRequest, pb.GetAnalysisResponse],
    ) -> pb.GetAnalysisResponse:
        return await asyncio.to_thread(self._get, request)

    def _get(self, request: pb.GetAnalysisRequest) -> pb.GetAnalysisResponse:
        with self.db.session() as session:
            return service.get(session, request)

    async def RecordView(
        self,
        request: pb.RecordViewRequest,
        context: grpc.aio.ServicerContext[pb.RecordViewRequest, pb.RecordViewResponse],
    ) -> pb.RecordViewResponse:
        await asyncio.to_thread(self._record_view, request)
        self._wake()
        return pb.RecordViewResponse()

    def _record_view(self, request: pb.RecordViewRequest) -> None:
        with self.db.session() as session:
            service.record_view(session, request)

    async def ApplySuggestion(
        self,
        request: pb.ApplySuggestionRequest,
        context: grpc.aio.ServicerContext[pb.ApplySuggestionRequest, pb.ApplySuggestionResponse],
    ) -> pb.ApplySuggestionResponse:
        code = await asyncio.to_thread(self._apply, request)
        self._wake()
        return pb.ApplySuggestionResponse(code=code)

    def _apply(self, request: pb.ApplySuggestionRequest) -> str:
        with self.db.session() as session:
            return service.apply_suggestion(session, request)

    async def GetStartingPoints(
        self,
        request: pb.GetStartingPointsRequest,
        context: grpc.aio.ServicerContext[
            pb.GetStartingPointsRequest, pb.GetStartingPointsResponse
        ],
    ) -> pb.GetStartingPointsResponse:
        # The dataset's neighbourhood as an app's program found it; else the recommender
        # derives it from its own profile of the dataset.
        hood = await asyncio.to_thread(self._known_neighbourhood, request)
        knowledge = await self.runner.ask("training", hood, request.dataset_sha256)
        data = evidence.recommend_training(knowledge, {"model": request.model})
        data["neighbourhood"] = knowledge.neighbourhood
        if not request.model:
            # Every model's ranges, for a page that lets the learner pick the model.
            data["models"] = {
                key: evidence.recommend_training(knowledge, {"model": key})["ranges"]
                for key in MODELS
            }
        return pb.GetStartingPointsResponse(data_json=json.dumps(data, allow_nan=False))

    def _known_neighbourhood(self, request: pb.GetStartingPointsRequest) -> str:
        if not request.dataset_sha256:
            return ""
        with self.db.session() as session:
            return AppsRepository(session).known_neighbourhood(
                request.dataset_sha256, request.target
            )

    # -- Model Explainability Suite (issue 15) ---------------------------------------------
    async def RateExplanation(
        self,
        request: pb.RateExplanationRequest,
        context: grpc.aio.ServicerContext[pb.RateExplanationRequest, pb.ExplanationRanking],
    ) -> pb.ExplanationRanking:
        ranking = await asyncio.to_thread(self._rate, request)
        self._wake()
        return ranking

    def _rate(self, request: pb.RateExplanationRequest) -> pb.ExplanationRanking:
        with self.db.session() as session:
            return explanations.rate(session, request)

    async def RankExplanations(
        self,
        request: pb.RankExplanationsRequest,
        context: grpc.aio.ServicerContext[pb.RankExplanationsRequest, pb.ExplanationRanking],
    ) -> pb.ExplanationRanking:
        return await asyncio.to_thread(self._rank, request.level)

    def _rank(self, level: str) -> pb.ExplanationRanking:
        with self.db.session() as session:
            return explanations.rank(session, level)

    def _wake(self) -> None:
        if self.relay is not None:
            self.relay.wake()


def app_wall_seconds(request: pb.StartAnalysisRequest) -> float | None:
    """The sandbox wall time an app's run asks for: the AutoML Trainer's is sized for the
    learner's budget; the others use the service's default (None)."""
    if request.app_slug == "automl":
        return automl_wall_seconds(parse_options(request.options_json))
    return None
