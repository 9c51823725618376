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
from services.common.outbox import OutboxRelay
from services.progress import service, teaching
from services.progress.config import Settings

T = TypeVar("T")


class ProgressServicer(pb_grpc.ProgressServiceServicer):
    def __init__(self, db: Database, settings: Settings, relay: OutboxRelay | None = None) -> None:
        self.db = db
        self.settings = settings
        self.relay = relay

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

    # -- Learning by teaching (issue 17) --
    async def _write(self, fn: Callable[[Session], T]) -> T:
        result = await self.db.run(fn)
        if self.relay is not None:
            self.relay.wake()
        return result

    async def ListExplanations(
        self,
        request: pb.ListExplanationsRequest,
        context: grpc.aio.ServicerContext[pb.ListExplanationsRequest, pb.ListExplanationsResponse],
    ) -> pb.ListExplanationsResponse:
        return await self._call(
            lambda s: teaching.list_explanations(
                s, request.challenge_slug, request.viewer_id, request.viewer_is_staff
            )
        )

    async def PostExplanation(
        self,
        request: pb.PostExplanationRequest,
        context: grpc.aio.ServicerContext[pb.PostExplanationRequest, pb.ExplanationResponse],
    ) -> pb.ExplanationResponse:
        explanation = await self._write(
            lambda s: teaching.post_explanation(
                s, request.challenge_slug, request.author_id, request.body_md, request.code
            )
        )
        return pb.ExplanationResponse(explanation=explanation)

    async def VoteExplanation(
        self,
        request: pb.VoteExplanationRequest,
        context: grpc.aio.ServicerContext[pb.VoteExplanationRequest, pb.ExplanationResponse],
    ) -> pb.ExplanationResponse:
        explanation = await self._write(
            lambda s: teaching.vote(s, request.explanation_id, request.voter_id)
        )
        return pb.ExplanationResponse(explanation=explanation)

    async def ModerateExplanation(
        self,
        request: pb.ModerateExplanationRequest,
        context: grpc.aio.ServicerContext[pb.ModerateExplanationRequest, pb.ExplanationResponse],
    ) -> pb.ExplanationResponse:
        validated = request.validated if request.HasField("validated") else None
        hidden = request.hidden if request.HasField("hidden") else None
        explanation = await self._write(
            lambda s: teaching.moderate(
                s, request.explanation_id, request.moderator_id, validated, hidden
            )
        )
        return pb.ExplanationResponse(explanation=explanation)
