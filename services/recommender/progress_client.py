"""gRPC client of progress: the catalog and a learner's lock state for next-challenge advice."""

from __future__ import annotations

import grpc
from ascent.progress.v1 import progress_service_pb2 as pb
from ascent.progress.v1 import progress_service_pb2_grpc as pb_grpc

from services.common.errors import AscentError, from_grpc
from services.common.rpc import CHANNEL_OPTIONS


class ProgressClient:
    def __init__(self, addr: str, timeout: float) -> None:
        self.timeout = timeout
        self.channel = grpc.aio.insecure_channel(addr, options=CHANNEL_OPTIONS)
        self.stub = pb_grpc.ProgressServiceStub(self.channel)

    async def list_tracks(self, learner_id: str) -> list[pb.Track]:
        try:
            response = await self.stub.ListTracks(
                pb.ListTracksRequest(learner_id=learner_id), timeout=self.timeout
            )
        except grpc.aio.AioRpcError as err:
            raise from_grpc(err, "progress") from None
        return list(response.tracks)

    async def close(self) -> None:
        await self.channel.close(None)


def ensure_learner(learner_id: str) -> str:
    learner_id = learner_id.strip()
    if not learner_id or len(learner_id) > 64:
        raise AscentError("invalid_argument", "Which learner? The learner id is missing.")
    return learner_id
