"""gRPC adapter of the serving service: opens the units of work; errors are mapped by
services.common.rpc."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta

import grpc
from ascent.serving.v1 import serving_service_pb2 as pb
from ascent.serving.v1 import serving_service_pb2_grpc as pb_grpc
from sqlalchemy.orm import Session

from services.common.db import Database
from services.common.errors import AscentError
from services.serving import abtest, feedback, monitor, service
from services.serving.config import Settings
from services.serving.flows import DeployFlow, SimulateFlow
from services.serving.limits import RateLimiter
from services.serving.service import Predictor

# Up to this many rows a prediction runs on the event loop (tens of microseconds); larger
# batches go to a worker thread so one request cannot hold the loop.
INLINE_ROWS_BYTES = 16_000


def _owner(owner_id: str) -> str:
    if not owner_id:
        raise AscentError("invalid_argument", "owner_id is required.")
    return owner_id


class ServingServicer(pb_grpc.ServingServiceServicer):
    def __init__(
        self,
        db: Database,
        flow: DeployFlow,
        predictor: Predictor,
        settings: Settings | None = None,
        flush_log: Callable[[], Awaitable[int]] | None = None,
        simulate: SimulateFlow | None = None,
    ) -> None:
        self.db = db
        self.flow = flow
        self.predictor = predictor
        self.settings = settings or Settings()
        # Feedback has its own buckets: labels never take a key's predict tokens.
        self.feedback_limiter = RateLimiter(self.settings.rate_per_second, self.settings.rate_burst)
        self.flush_log = flush_log
        self.simulate = simulate

    async def Deploy(
        self,
        request: pb.DeployRequest,
        context: grpc.aio.ServicerContext[pb.DeployRequest, pb.DeployResponse],
    ) -> pb.DeployResponse:
        return await self.flow.deploy(request)

    async def ListDeployments(
        self,
        request: pb.ListDeploymentsRequest,
        context: grpc.aio.ServicerContext[pb.ListDeploymentsRequest, pb.ListDeploymentsResponse],
    ) -> pb.ListDeploymentsResponse:
        owner = _owner(request.owner_id)
        return await self.db.run(lambda s: service.list_deployments(s, owner))

    async def GetDeployment(
        self,
        request: pb.GetDeploymentRequest,
        context: grpc.aio.ServicerContext[pb.GetDeploymentRequest, pb.GetDeploymentResponse],
    ) -> pb.GetDeploymentResponse:
        owner = _owner(request.owner_id)
        deployment = await self.db.run(
            lambda s: service.get_deployment(s, owner, request.deployment_id, request.base_url)
        )
        return pb.GetDeploymentResponse(deployment=deployment)

    async def GetModelFile(
        self,
        request: pb.GetModelFileRequest,
        context: grpc.aio.ServicerContext[pb.GetModelFileRequest, pb.GetModelFileResponse],
    ) -> pb.GetModelFileResponse:
        owner = _owner(request.owner_id)
        return await self.db.run(
            lambda s: service.model_file(s, owner, request.deployment_id, request.version)
        )

    async def Predict(
        self,
        request: pb.PredictRequest,
        context: grpc.aio.ServicerContext[pb.PredictRequest, pb.PredictResponse],
    ) -> pb.PredictResponse:
        args = (request.deployment_id, request.api_key, request.body, request.request_id)
        if len(request.body) <= INLINE_ROWS_BYTES:
            # A model not in the cache is loaded from the database: that is the thread's job.
            cached = self.predictor.cache.peek(request.deployment_id)
            outcome = (
                self.predictor.predict(*args)
                if cached
                else await asyncio.to_thread(self.predictor.predict, *args)
            )
        else:
            outcome = await asyncio.to_thread(self.predictor.predict, *args)
        if outcome.retry_after > 0:
            return pb.PredictResponse(
                version=outcome.version,
                rate_limited=True,
                retry_after_seconds=outcome.retry_after,
            )
        return pb.PredictResponse(
            version=outcome.version,
            predictions_json=json.dumps(outcome.predictions),
            probabilities_json=json.dumps(outcome.probabilities)
            if outcome.probabilities is not None
            else "",
            classes=list(outcome.classes),
            latency_ms=outcome.latency_ms,
            prediction_ids=outcome.prediction_ids,
        )

    async def GetDriftReport(
        self,
        request: pb.GetDriftReportRequest,
        context: grpc.aio.ServicerContext[pb.GetDriftReportRequest, pb.GetDriftReportResponse],
    ) -> pb.GetDriftReportResponse:
        _owner(request.owner_id)
        report = await self.db.run(lambda s: monitor.drift_report(s, request))
        if self.flow.relay is not None and any(f.drifted for f in report.features):
            self.flow.relay.wake()
        return report

    # -- monitor (issue 16, concept drift) --

    async def SendFeedback(
        self,
        request: pb.SendFeedbackRequest,
        context: grpc.aio.ServicerContext[pb.SendFeedbackRequest, pb.SendFeedbackResponse],
    ) -> pb.SendFeedbackResponse:
        deployment_id = await self.db.run(
            lambda s: feedback.authorize(s, request.deployment_id, request.api_key)
        )
        wait = self.feedback_limiter.take(deployment_id)
        if wait > 0:
            return pb.SendFeedbackResponse(rate_limited=True, retry_after_seconds=wait)
        settings = self.settings
        labels = feedback.parse_feedback(request.body, settings.max_body_bytes, settings.max_labels)

        def record(session: Session) -> pb.SendFeedbackResponse:
            return feedback.record_feedback(
                session,
                deployment_id,
                labels,
                settings.log_rows,
                settings.feedback_max_per_deployment,
                timedelta(days=settings.log_retention_days),
            )

        try:
            return await self.db.run(record)
        except feedback.Unlogged:
            # The log is written in batches: a prediction answered a moment ago may still be
            # in memory. Write it now and look once more.
            if self.flush_log is None:
                raise
            await self.flush_log()
            return await self.db.run(record)

    async def GetPerformance(
        self,
        request: pb.GetPerformanceRequest,
        context: grpc.aio.ServicerContext[pb.GetPerformanceRequest, pb.GetPerformanceResponse],
    ) -> pb.GetPerformanceResponse:
        _owner(request.owner_id)
        report = await self.db.run(lambda s: feedback.performance_report(s, request))
        if self.flow is not None and self.flow.relay is not None and report.concept_drift:
            self.flow.relay.wake()
        return report

    # -- A/B testing and the traffic simulator (issue 16) --

    async def SetSplit(
        self,
        request: pb.SetSplitRequest,
        context: grpc.aio.ServicerContext[pb.SetSplitRequest, pb.SetSplitResponse],
    ) -> pb.SetSplitResponse:
        owner = _owner(request.owner_id)
        arms = [(a.version, a.share) for a in request.arms]
        response = await self.db.run(
            lambda s: abtest.set_split(s, owner, request.deployment_id, arms)
        )
        # The next request reloads the deployment with its split (one read, then cached).
        self.predictor.cache.invalidate(request.deployment_id)
        return response

    async def GetVersionMetrics(
        self,
        request: pb.GetVersionMetricsRequest,
        context: grpc.aio.ServicerContext[
            pb.GetVersionMetricsRequest, pb.GetVersionMetricsResponse
        ],
    ) -> pb.GetVersionMetricsResponse:
        owner = _owner(request.owner_id)
        return await self.db.run(
            lambda s: abtest.version_metrics(
                s, owner, request.deployment_id, request.window_requests
            )
        )

    async def SimulateTraffic(
        self,
        request: pb.SimulateTrafficRequest,
        context: grpc.aio.ServicerContext[pb.SimulateTrafficRequest, pb.SimulateTrafficResponse],
    ) -> pb.SimulateTrafficResponse:
        if self.simulate is None:
            raise AscentError("unavailable", "The traffic simulator is not running here.")
        return await self.simulate.simulate(request)
