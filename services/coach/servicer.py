"""gRPC adapter: gathers the recommender's advice, opens the unit of work (services.common.rpc
maps errors)."""

from __future__ import annotations

import asyncio
import dataclasses

import grpc
from ascent.coach.v1 import coach_service_pb2 as pb
from ascent.coach.v1 import coach_service_pb2_grpc as pb_grpc

from services.coach.engine import ImproveContext
from services.coach.recommender_client import RecommenderClient
from services.coach.service import (
    SOCRATIC,
    CoachService,
    StoredProposal,
    rate,
    resolve_mode,
    socratic_steps,
)
from services.common.db import Database
from services.common.outbox import OutboxRelay


class CoachServicer(pb_grpc.CoachServiceServicer):
    def __init__(
        self,
        db: Database,
        service: CoachService,
        recommender: RecommenderClient,
        relay: OutboxRelay | None,
        recommendations: int = 5,
    ) -> None:
        self.db = db
        self.service = service
        self.recommender = recommender
        self.relay = relay
        self.recommendations = recommendations

    async def Improve(
        self,
        request: pb.ImproveRequest,
        context: grpc.aio.ServicerContext[pb.ImproveRequest, pb.ImproveResponse],
    ) -> pb.ImproveResponse:
        mode = resolve_mode(request.mode)
        advice = await self.recommender.advise(
            request.run.dataset_sha256, self.recommendations, request.run.owner_id
        )
        improve_context = ImproveContext(
            run=request.run,
            history=list(request.history),
            profile=advice.profile if advice else None,
            recommendations=advice.recommendations if advice else [],
        )
        stored = await asyncio.to_thread(self._improve, improve_context)
        if self.relay is not None:
            self.relay.wake()
        improvement = stored.improvement
        return pb.ImproveResponse(
            proposal_id=stored.id,
            diagnosis=improvement.diagnosis,
            suggestions=improvement.suggestions,
            improved_experiment=pb.ImprovedExperiment(
                name=improvement.name, code=improvement.code, rationale=improvement.rationale
            ),
            engine=stored.engine,
            mode=mode,
            steps=(
                [pb.SocraticStep(kind=k, text=t) for k, t in socratic_steps(improvement)]
                if mode == SOCRATIC
                else []
            ),
            notice=improvement.notice,
            pipeline_keys=improvement.pipeline_keys,
            platform_code=improvement.platform_code,
        )

    async def Rate(
        self,
        request: pb.RateRequest,
        context: grpc.aio.ServicerContext[pb.RateRequest, pb.RateResponse],
    ) -> pb.RateResponse:
        await asyncio.to_thread(self._rate, request)
        if self.relay is not None:
            self.relay.wake()
        return pb.RateResponse(proposal_id=request.proposal_id)

    def _rate(self, request: pb.RateRequest) -> None:
        with self.db.session() as session:
            rate(session, request.proposal_id, request.owner_id, request.rating, request.verdict)

    def _improve(self, improve_context: ImproveContext) -> StoredProposal:
        with self.db.session() as session:
            proposed = self.service.proposed_keys(session, improve_context)
        improve_context = dataclasses.replace(improve_context, proposed_keys=proposed)
        improvement = self.service.propose(improve_context)
        with self.db.session() as session:
            return self.service.store(session, improve_context, improvement)
