"""gRPC clients of the apps service: execution (its programs run there), progress (the
learner's passes, for unlock rules) and the recommender (the evidence of datasets like the
learner's, from its knowledge base)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
from ascent.execution.v1 import execution_service_pb2 as execution_pb
from ascent.execution.v1 import execution_service_pb2_grpc as execution_grpc
from ascent.progress.v1 import progress_service_pb2 as progress_pb
from ascent.progress.v1 import progress_service_pb2_grpc as progress_grpc
from ascent.recommender.v1 import recommender_service_pb2 as recommender_pb
from ascent.recommender.v1 import recommender_service_pb2_grpc as recommender_grpc

from services.common.errors import from_grpc
from services.common.rpc import channel_options


class ExecutionClient:
    def __init__(self, addr: str, timeout: float, rpc_timeout: float) -> None:
        self.timeout = timeout
        self.rpc_timeout = rpc_timeout
        # The message limits of every channel (a profile or curves are megabytes), and round
        # robin over several execution hosts.
        self.channel = grpc.aio.insecure_channel(addr, options=channel_options(addr))
        self.stub = execution_grpc.ExecutionServiceStub(self.channel)

    async def execute(
        self, request: execution_pb.ExecuteRequest, timeout: float = 0.0
    ) -> AsyncIterator[execution_pb.ExecuteResponse]:
        try:
            async for item in self.stub.Execute(request, timeout=max(self.timeout, timeout)):
                yield item
        except grpc.aio.AioRpcError as err:
            raise from_grpc(err, "execution") from None

    async def cancel(self, run_id: str) -> bool:
        try:
            response = await self.stub.Cancel(
                execution_pb.CancelRequest(run_id=run_id), timeout=self.rpc_timeout
            )
        except grpc.aio.AioRpcError as err:
            raise from_grpc(err, "execution") from None
        return bool(response.found)

    async def close(self) -> None:
        await self.channel.close(None)


class ProgressClient:
    def __init__(self, addr: str, timeout: float) -> None:
        self.timeout = timeout
        self.channel = grpc.aio.insecure_channel(addr, options=channel_options(addr))
        self.stub = progress_grpc.ProgressServiceStub(self.channel)

    async def challenges_passed(self, learner_id: str) -> int:
        try:
            response = await self.stub.GetProgress(
                progress_pb.GetProgressRequest(learner_id=learner_id), timeout=self.timeout
            )
        except grpc.aio.AioRpcError as err:
            raise from_grpc(err, "progress") from None
        return int(response.challenges_passed)

    async def close(self) -> None:
        await self.channel.close(None)


class RecommenderClient:
    def __init__(self, addr: str, timeout: float) -> None:
        self.timeout = timeout
        self.channel = grpc.aio.insecure_channel(addr, options=channel_options(addr))
        self.stub = recommender_grpc.RecommenderServiceStub(self.channel)

    async def app_evidence(
        self, app_slug: str, neighbourhood: str, dataset_sha256: str = ""
    ) -> recommender_pb.AppEvidenceResponse:
        try:
            response: recommender_pb.AppEvidenceResponse = await self.stub.AppEvidence(
                recommender_pb.AppEvidenceRequest(
                    app_slug=app_slug, neighbourhood=neighbourhood, dataset_sha256=dataset_sha256
                ),
                timeout=self.timeout,
            )
        except grpc.aio.AioRpcError as err:
            raise from_grpc(err, "recommender") from None
        return response

    async def close(self) -> None:
        await self.channel.close(None)
