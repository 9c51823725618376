"""gRPC adapter of the serving service: opens the units of work; errors are mapped by
services.common.rpc."""

from __future__ import annotations

import asyncio
import json

import grpc
from ascent.serving.v1 import serving_service_pb2 as pb
from ascent.serving.v1 import serving_service_pb2_grpc as pb_grpc

from services.common.db import Database
from services.common.errors import AscentError
from services.serving import abtest, monitor, service
from services.serving.flows import DeployFlow, SimulateFlow
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
        simulate: SimulateFlow | None = None,
    ) -> None:
        self.db = db
        self.flow = flow
        self.predictor = predictor
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
