"""gRPC clients of the serving service: leaderboard (the run to deploy: its code, owner,
data and metrics) and execution (the export program runs in its sandbox)."""

from __future__ import annotations

import grpc
from ascent.execution.v1 import execution_service_pb2 as execution_pb
from ascent.execution.v1 import execution_service_pb2_grpc as execution_grpc
from ascent.leaderboard.v1 import leaderboard_service_pb2 as leaderboard_pb
from ascent.leaderboard.v1 import leaderboard_service_pb2_grpc as leaderboard_grpc
from ascent.types.v1 import run_pb2

from services.common.errors import AscentError, from_grpc
from services.common.rpc import channel_options


class ExecutionClient:
    def __init__(self, addr: str, timeout: float) -> None:
        self.timeout = timeout
        self.channel = grpc.aio.insecure_channel(addr, options=channel_options(addr))
        self.stub = execution_grpc.ExecutionServiceStub(self.channel)

    async def run(self, request: execution_pb.ExecuteRequest) -> run_pb2.Run:
        """The finished run (output chunks are not needed: the result carries all of it)."""
        try:
            async for item in self.stub.Execute(request, timeout=self.timeout):
                if item.WhichOneof("item") == "result":
                    result: run_pb2.Run = item.result
                    return result
        except grpc.aio.AioRpcError as err:
            raise from_grpc(err, "execution") from None
        raise AscentError("unavailable", "The execution service ended without a result.")

    async def test_features(self, slug: str, version: int) -> execution_pb.GetTestFeaturesResponse:
        try:
            response: execution_pb.GetTestFeaturesResponse = await self.stub.GetTestFeatures(
                execution_pb.GetTestFeaturesRequest(challenge_slug=slug, challenge_version=version),
                timeout=self.timeout,
            )
        except grpc.aio.AioRpcError as err:
            raise from_grpc(err, "execution") from None
        return response

    async def grade(self, slug: str, version: int, predictions_json: str) -> run_pb2.Grade:
        try:
            response = await self.stub.GradePredictions(
                execution_pb.GradePredictionsRequest(
                    challenge_slug=slug,
                    challenge_version=version,
                    predictions_json=predictions_json,
                ),
                timeout=self.timeout,
            )
        except grpc.aio.AioRpcError as err:
            raise from_grpc(err, "execution") from None
        grade: run_pb2.Grade = response.grade
        return grade

    async def close(self) -> None:
        await self.channel.close(None)


class LeaderboardClient:
    def __init__(self, addr: str, timeout: float) -> None:
        self.timeout = timeout
        self.channel = grpc.aio.insecure_channel(addr, options=channel_options(addr))
        self.stub = leaderboard_grpc.LeaderboardServiceStub(self.channel)

    async def get_run(self, run_id: str) -> run_pb2.Run:
        try:
            response = await self.stub.GetRun(
                leaderboard_pb.GetRunRequest(run_id=run_id, wait_ms=2_000), timeout=self.timeout
            )
        except grpc.aio.AioRpcError as err:
            raise from_grpc(err, "leaderboard") from None
        run: run_pb2.Run = response.run
        return run

    async def close(self) -> None:
        await self.channel.close(None)
