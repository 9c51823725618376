"""gRPC clients of the authoring service: execution (validation runs) and progress (the
tracks a challenge can be placed in)."""

from __future__ import annotations

import uuid

import grpc
from ascent.execution.v1 import execution_service_pb2 as execution_pb
from ascent.execution.v1 import execution_service_pb2_grpc as execution_grpc
from ascent.progress.v1 import progress_service_pb2 as progress_pb
from ascent.progress.v1 import progress_service_pb2_grpc as progress_grpc
from ascent.types.v1 import run_pb2

from services.common.errors import AscentError, from_grpc
from services.common.rpc import channel_options


class ExecutionClient:
    def __init__(self, addr: str, timeout: float) -> None:
        self.timeout = timeout
        self.channel = grpc.aio.insecure_channel(addr, options=channel_options(addr))
        self.stub = execution_grpc.ExecutionServiceStub(self.channel)

    async def run(
        self, code: str, slug: str, version: int, owner_id: str, name: str
    ) -> run_pb2.Run:
        """A graded, ephemeral run on the (draft) version's split: no event, no board, no XP."""
        request = execution_pb.ExecuteRequest(
            run_id=str(uuid.uuid4()),
            owner_id=owner_id,
            name=name,
            code=code,
            challenge_slug=slug,
            challenge_version=version,
            ephemeral=True,
        )
        try:
            async for item in self.stub.Execute(request, timeout=self.timeout):
                if item.WhichOneof("item") == "result":
                    result: run_pb2.Run = item.result
                    return result
        except grpc.aio.AioRpcError as err:
            raise from_grpc(err, "execution") from None
        raise AscentError("unavailable", "The execution service ended the run without a result.")

    async def close(self) -> None:
        await self.channel.close(None)


class ProgressClient:
    def __init__(self, addr: str, timeout: float) -> None:
        self.timeout = timeout
        self.channel = grpc.aio.insecure_channel(addr, options=channel_options(addr))
        self.stub = progress_grpc.ProgressServiceStub(self.channel)

    async def track_slugs(self) -> set[str]:
        try:
            response = await self.stub.ListTracks(
                progress_pb.ListTracksRequest(), timeout=self.timeout
            )
        except grpc.aio.AioRpcError as err:
            raise from_grpc(err, "progress") from None
        return {track.slug for track in response.tracks}

    async def close(self) -> None:
        await self.channel.close(None)
