"""gRPC adapter of the leaderboard: opens the unit of work (services.common.rpc maps errors)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

import grpc
from ascent.leaderboard.v1 import leaderboard_service_pb2 as lb
from ascent.leaderboard.v1 import leaderboard_service_pb2_grpc as lb_grpc
from ascent.types.v1 import run_pb2
from sqlalchemy.orm import Session

from services.common.db import Database
from services.common.errors import AscentError
from services.leaderboard import service
from services.leaderboard.config import Settings

T = TypeVar("T")


class LeaderboardServicer(lb_grpc.LeaderboardServiceServicer):
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    async def _call(self, fn: Callable[[Session], T]) -> T:
        return await self.db.run(fn)

    async def ListRuns(
        self,
        request: lb.ListRunsRequest,
        context: grpc.aio.ServicerContext[lb.ListRunsRequest, lb.ListRunsResponse],
    ) -> lb.ListRunsResponse:
        dataset = request.dataset_sha256 if request.HasField("dataset_sha256") else None
        return await self._call(
            lambda s: service.list_page(
                s, request.session_id, request.limit, request.offset, dataset
            )
        )

    async def GetRun(
        self,
        request: lb.GetRunRequest,
        context: grpc.aio.ServicerContext[lb.GetRunRequest, lb.GetRunResponse],
    ) -> lb.GetRunResponse:
        run = await self._wait_for_run(request.run_id, request.wait_ms)
        return lb.GetRunResponse(run=run)

    async def _wait_for_run(self, run_id: str, wait_ms: int) -> run_pb2.Run:
        if not run_id:
            raise AscentError("invalid_argument", "run_id is required.")
        if wait_ms < 0:
            raise AscentError("invalid_argument", "wait_ms must not be negative.")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(wait_ms, self.settings.max_wait_ms) / 1000
        while True:
            run = await self._call(lambda s: service.find_run(s, run_id))
            if run is not None:
                return run
            if loop.time() >= deadline:
                raise AscentError("not_found", "Run not found.")
            await asyncio.sleep(self.settings.poll_interval_ms / 1000)

    async def GetLeaderboard(
        self,
        request: lb.GetLeaderboardRequest,
        context: grpc.aio.ServicerContext[lb.GetLeaderboardRequest, lb.GetLeaderboardResponse],
    ) -> lb.GetLeaderboardResponse:
        dataset = request.dataset_sha256 if request.HasField("dataset_sha256") else None
        return await self._call(
            lambda s: service.leaderboard(s, request.board_id, request.limit, dataset)
        )

    async def GetChallengeBoard(
        self,
        request: lb.GetChallengeBoardRequest,
        context: grpc.aio.ServicerContext[
            lb.GetChallengeBoardRequest, lb.GetChallengeBoardResponse
        ],
    ) -> lb.GetChallengeBoardResponse:
        return await self._call(
            lambda s: service.challenge_board(
                s,
                request.challenge_slug,
                request.limit,
                request.include_private,
                request.challenge_version,
            )
        )

    async def SetChallengeBoard(
        self,
        request: lb.SetChallengeBoardRequest,
        context: grpc.aio.ServicerContext[
            lb.SetChallengeBoardRequest, lb.SetChallengeBoardResponse
        ],
    ) -> lb.SetChallengeBoardResponse:
        return await self._call(
            lambda s: service.set_challenge_board(
                s,
                request.challenge_slug,
                request.hidden,
                request.reveal_private,
                request.challenge_version,
            )
        )

    async def GetFinalSubmissions(
        self,
        request: lb.GetFinalSubmissionsRequest,
        context: grpc.aio.ServicerContext[
            lb.GetFinalSubmissionsRequest, lb.FinalSubmissionsResponse
        ],
    ) -> lb.FinalSubmissionsResponse:
        return await self._call(
            lambda s: service.final_submissions(
                s,
                request.challenge_slug,
                request.challenge_version,
                request.learner_id,
                request.include_private,
            )
        )

    async def SetFinalSubmissions(
        self,
        request: lb.SetFinalSubmissionsRequest,
        context: grpc.aio.ServicerContext[
            lb.SetFinalSubmissionsRequest, lb.FinalSubmissionsResponse
        ],
    ) -> lb.FinalSubmissionsResponse:
        return await self._call(
            lambda s: service.select_final(
                s,
                request.challenge_slug,
                request.challenge_version,
                request.learner_id,
                list(request.run_ids),
                request.include_private,
            )
        )
