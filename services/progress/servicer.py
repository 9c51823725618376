"""gRPC adapter of the progress service: opens the unit of work (services.common.rpc maps
errors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import grpc
from ascent.progress.v1 import progress_service_pb2 as pb
from ascent.progress.v1 import progress_service_pb2_grpc as pb_grpc
from sqlalchemy.orm import Session

from services.common.db import Database
from services.progress import service
from services.progress.config import Settings

T = TypeVar("T")


class ProgressServicer(pb_grpc.ProgressServiceServicer):
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    async def _call(self, fn: Callable[[Session], T]) -> T:
        return await self.db.run(fn)

    async def ListTracks(
        self,
        request: pb.ListTracksRequest,
        context: grpc.aio.ServicerContext[pb.ListTracksRequest, pb.ListTracksResponse],
    ) -> pb.ListTracksResponse:
        tracks = await self._call(lambda s: service.list_tracks(s, request.learner_id))
        return pb.ListTracksResponse(tracks=tracks)

    async def GetChallenge(
        self,
        request: pb.GetChallengeRequest,
        context: grpc.aio.ServicerContext[pb.GetChallengeRequest, pb.GetChallengeResponse],
    ) -> pb.GetChallengeResponse:
        return await self._call(
            lambda s: service.get_challenge(s, request.slug, request.learner_id)
        )

    async def GetProgress(
        self,
        request: pb.GetProgressRequest,
        context: grpc.aio.ServicerContext[pb.GetProgressRequest, pb.GetProgressResponse],
    ) -> pb.GetProgressResponse:
        limit = self.settings.history_limit
        return await self._call(lambda s: service.get_progress(s, request.learner_id, limit))
