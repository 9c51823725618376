"""gRPC clients of every service (grpc.aio). Failed RPCs become `AscentError`s."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import grpc
from ascent.analytics.v1 import analytics_service_pb2 as analytics_pb
from ascent.analytics.v1 import analytics_service_pb2_grpc as analytics_grpc
from ascent.apps.v1 import apps_service_pb2 as apps_pb
from ascent.apps.v1 import apps_service_pb2_grpc as apps_grpc
from ascent.authoring.v1 import authoring_service_pb2_grpc as authoring_grpc
from ascent.coach.v1 import coach_service_pb2 as coach_pb
from ascent.coach.v1 import coach_service_pb2_grpc as coach_grpc
from ascent.execution.v1 import execution_service_pb2 as execution_pb
from ascent.execution.v1 import execution_service_pb2_grpc as execution_grpc
from ascent.leaderboard.v1 import leaderboard_service_pb2 as leaderboard_pb
from ascent.leaderboard.v1 import leaderboard_service_pb2_grpc as leaderboard_grpc
from ascent.ops.v1 import ops_service_pb2 as ops_pb
from ascent.ops.v1 import ops_service_pb2_grpc as ops_grpc
from ascent.progress.v1 import progress_service_pb2 as progress_pb
from ascent.progress.v1 import progress_service_pb2_grpc as progress_grpc
from ascent.recommender.v1 import recommender_service_pb2 as recommender_pb
from ascent.recommender.v1 import recommender_service_pb2_grpc as recommender_grpc
from ascent.serving.v1 import serving_service_pb2_grpc as serving_grpc
from ascent.types.v1 import run_pb2
from google.protobuf.message import Message
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway.config import Settings
from services.common import topology
from services.common.config import CommonSettings
from services.common.errors import AscentError, from_grpc
from services.common.rpc import MAX_MESSAGE_BYTES, channel_options, is_message_too_large

M = TypeVar("M", bound=Message)

SERVICES = topology.GATEWAY_CALLS

OnOutput = Callable[[execution_pb.ExecuteResponse], Awaitable[None]]


class ResultTooLarge(AscentError):
    """A reply broke the gRPC message limit: the call itself may have succeeded (a run that
    ran and is on its way to the board), so it is never reported as "busy"."""

    def __init__(self, service: str) -> None:
        super().__init__(
            "internal",
            f"The {service} service's answer was larger than the "
            f"{MAX_MESSAGE_BYTES >> 20} MB a message may be.",
        )


def map_error(err: grpc.aio.AioRpcError, service: str) -> AscentError:
    """RESOURCE_EXHAUSTED is "busy" (429, retry) only when the server said so: a message over
    the size limit is a different failure, and retrying it would only repeat it."""
    if is_message_too_large(err):
        return ResultTooLarge(service)
    if err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return AscentError("busy", f"The {service} service is busy; retry in a moment.")
    return from_grpc(err, service)


# Pages of ListRuns read for one session (100 runs each, fewer when their output is large).
MAX_RUN_PAGES = 50


class Clients:
    """One channel per service, opened lazily by gRPC (a peer that is down is no start error)."""

    def __init__(self, common: CommonSettings, settings: Settings) -> None:
        self.settings = settings
        self.channels: dict[str, grpc.aio.Channel] = {
            name: grpc.aio.insecure_channel(
                getattr(common, f"{name}_addr"),
                options=channel_options(getattr(common, f"{name}_addr")),
            )
            for name in SERVICES
        }
        self.execution = execution_grpc.ExecutionServiceStub(self.channels["execution"])
        self.leaderboard = leaderboard_grpc.LeaderboardServiceStub(self.channels["leaderboard"])
        self.progress = progress_grpc.ProgressServiceStub(self.channels["progress"])
        self.recommender = recommender_grpc.RecommenderServiceStub(self.channels["recommender"])
        self.coach = coach_grpc.CoachServiceStub(self.channels["coach"])
        self.analytics = analytics_grpc.AnalyticsServiceStub(self.channels["analytics"])
        self.authoring = authoring_grpc.AuthoringServiceStub(self.channels["authoring"])
        self.apps = apps_grpc.AppsServiceStub(self.channels["apps"])
        self.serving = serving_grpc.ServingServiceStub(self.channels["serving"])

    async def close(self) -> None:
        # No grace: in-flight calls of a stopping gateway are cancelled at once.
        await asyncio.gather(*(channel.close(None) for channel in self.channels.values()))

    async def authoring_call(
        self, method: str, response: type[M], request: Message, timeout: float | None = None
    ) -> M:
        """One AuthoringService RPC by name (the gateway only proxies instructor requests);
        `response` is the RPC's reply type, checked so callers get what they annotate."""
        call = getattr(self.authoring, method)
        reply = await self._unary(
            "authoring", call, request, timeout or self.settings.rpc_timeout_seconds
        )
        if not isinstance(reply, response):
            raise TypeError(f"AuthoringService.{method} answered {type(reply).__name__}")
        return reply

    async def _unary(self, service: str, call: Any, request: Any, timeout: float) -> Any:
        try:
            return await call(request, timeout=timeout)
        except grpc.aio.AioRpcError as err:
            raise map_error(err, service) from None

    # -- execution ---------------------------------------------------------------------------
    async def execute(
        self, request: execution_pb.ExecuteRequest, on_item: OnOutput | None = None
    ) -> run_pb2.Run:
        """Runs code and returns the final `Run`; queue/output items go to `on_item`."""
        result: run_pb2.Run | None = None
        call = self.execution.Execute(request, timeout=self.settings.execute_timeout_seconds)
        try:
            async for item in call:
                if item.WhichOneof("item") == "result":
                    result = item.result
                elif on_item is not None:
                    await on_item(item)
        except grpc.aio.AioRpcError as err:
            raise map_error(err, "execution") from None
        if result is None:
            raise AscentError(
                "unavailable", "The execution service ended the run without a result."
            )
        return result

    async def cancel(self, run_id: str) -> bool:
        """Stops a queued or running run; False when execution no longer knows it."""
        response = await self._unary(
            "execution",
            self.execution.Cancel,
            execution_pb.CancelRequest(run_id=run_id),
            self.settings.rpc_timeout_seconds,
        )
        return bool(response.found)

    # -- leaderboard -------------------------------------------------------------------------
    async def list_runs(self, session_id: str) -> list[run_pb2.Run]:
        """The session's runs as summaries (`Run.summary`: the tail of their output, no
        figures); `get_run` has a whole run."""
        runs, _ = await self.ranked_runs(session_id)
        return runs

    async def ranked_runs(
        self, session_id: str, dataset: str | None = None
    ) -> tuple[list[run_pb2.Run], dict[str, int]]:
        """The session's runs (only `dataset`'s when given; "" = no dataset) as summaries, read
        page by page, and each ranked run's place within its dataset, as the leaderboard ranks
        them."""
        runs: list[run_pb2.Run] = []
        ranks: dict[str, int] = {}
        offset = 0
        for _ in range(MAX_RUN_PAGES):
            request = leaderboard_pb.ListRunsRequest(session_id=session_id, offset=offset)
            if dataset is not None:
                request.dataset_sha256 = dataset
            response = await self._unary(
                "leaderboard", self.leaderboard.ListRuns, request, self.settings.rpc_timeout_seconds
            )
            runs.extend(response.runs)
            ranks.update(response.dataset_ranks)
            if not response.next_offset or response.next_offset <= offset:
                break
            offset = response.next_offset
        return runs, ranks

    async def get_run(self, run_id: str, wait_ms: int = 0) -> run_pb2.Run:
        response = await self._unary(
            "leaderboard",
            self.leaderboard.GetRun,
            leaderboard_pb.GetRunRequest(run_id=run_id, wait_ms=wait_ms),
            self.settings.rpc_timeout_seconds + wait_ms / 1000,
        )
        run: run_pb2.Run = response.run
        return run

    # -- coach -------------------------------------------------------------------------------
    async def improve(
        self, run: run_pb2.Run, history: list[run_pb2.Run], mode: str = ""
    ) -> coach_pb.ImproveResponse:
        response: coach_pb.ImproveResponse = await self._unary(
            "coach",
            self.coach.Improve,
            coach_pb.ImproveRequest(run=run, history=history, mode=mode),
            self.settings.improve_timeout_seconds,
        )
        return response

    async def rate_proposal(
        self, proposal_id: str, owner_id: str, rating: int, verdict: str
    ) -> None:
        await self._unary(
            "coach",
            self.coach.Rate,
            coach_pb.RateRequest(
                proposal_id=proposal_id, owner_id=owner_id, rating=rating, verdict=verdict
            ),
            self.settings.rpc_timeout_seconds,
        )

    # -- recommender -------------------------------------------------------------------------
    async def recommend_challenge(
        self, learner_id: str, limit: int = 3
    ) -> recommender_pb.RecommendChallengeResponse:
        response: recommender_pb.RecommendChallengeResponse = await self._unary(
            "recommender",
            self.recommender.RecommendChallenge,
            recommender_pb.RecommendChallengeRequest(learner_id=learner_id, limit=limit),
            self.settings.rpc_timeout_seconds,
        )
        return response

    # AutoML Trainer (issue 15): the pipelines expected to win on a dataset, shown before
    # the search and tried first.
    # With the learner, what worked for learners with a similar history is blended in.
    async def recommend(
        self, dataset_sha256: str, limit: int = 5, learner_id: str = ""
    ) -> recommender_pb.RecommendResponse:
        response: recommender_pb.RecommendResponse = await self._unary(
            "recommender",
            self.recommender.Recommend,
            recommender_pb.RecommendRequest(
                dataset_sha256=dataset_sha256, limit=limit, learner_id=learner_id
            ),
            self.settings.rpc_timeout_seconds,
        )
        return response

    # -- progress ----------------------------------------------------------------------------
    async def get_progress(self, learner_id: str) -> progress_pb.GetProgressResponse:
        response: progress_pb.GetProgressResponse = await self._unary(
            "progress",
            self.progress.GetProgress,
            progress_pb.GetProgressRequest(learner_id=learner_id),
            self.settings.rpc_timeout_seconds,
        )
        return response

    async def list_tracks(self, learner_id: str) -> list[progress_pb.Track]:
        response = await self._unary(
            "progress",
            self.progress.ListTracks,
            progress_pb.ListTracksRequest(learner_id=learner_id),
            self.settings.rpc_timeout_seconds,
        )
        return list(response.tracks)

    async def get_challenge(self, slug: str, learner_id: str) -> progress_pb.ChallengeDetail:
        response = await self._unary(
            "progress",
            self.progress.GetChallenge,
            progress_pb.GetChallengeRequest(slug=slug, learner_id=learner_id),
            self.settings.rpc_timeout_seconds,
        )
        detail: progress_pb.ChallengeDetail = response.challenge
        return detail

    # -- learning by teaching (issue 17): progress enforces who may read --------------------
    async def list_explanations(
        self, slug: str, viewer_id: str, viewer_is_staff: bool
    ) -> progress_pb.ListExplanationsResponse:
        response: progress_pb.ListExplanationsResponse = await self._unary(
            "progress",
            self.progress.ListExplanations,
            progress_pb.ListExplanationsRequest(
                challenge_slug=slug, viewer_id=viewer_id, viewer_is_staff=viewer_is_staff
            ),
            self.settings.rpc_timeout_seconds,
        )
        return response

    async def post_explanation(
        self, slug: str, author_id: str, body_md: str, code: str
    ) -> progress_pb.Explanation:
        response = await self._unary(
            "progress",
            self.progress.PostExplanation,
            progress_pb.PostExplanationRequest(
                challenge_slug=slug, author_id=author_id, body_md=body_md, code=code
            ),
            self.settings.rpc_timeout_seconds,
        )
        explanation: progress_pb.Explanation = response.explanation
        return explanation

    async def vote_explanation(self, explanation_id: str, voter_id: str) -> progress_pb.Explanation:
        response = await self._unary(
            "progress",
            self.progress.VoteExplanation,
            progress_pb.VoteExplanationRequest(explanation_id=explanation_id, voter_id=voter_id),
            self.settings.rpc_timeout_seconds,
        )
        explanation: progress_pb.Explanation = response.explanation
        return explanation

    async def moderate_explanation(
        self,
        explanation_id: str,
        moderator_id: str,
        validated: bool | None,
        hidden: bool | None,
    ) -> progress_pb.Explanation:
        request = progress_pb.ModerateExplanationRequest(
            explanation_id=explanation_id, moderator_id=moderator_id
        )
        if validated is not None:
            request.validated = validated
        if hidden is not None:
            request.hidden = hidden
        response = await self._unary(
            "progress",
            self.progress.ModerateExplanation,
            request,
            self.settings.rpc_timeout_seconds,
        )
        explanation: progress_pb.Explanation = response.explanation
        return explanation

    async def challenge_board(
        self, slug: str, include_private: bool, limit: int = 50, version: int = 0
    ) -> leaderboard_pb.GetChallengeBoardResponse:
        response: leaderboard_pb.GetChallengeBoardResponse = await self._unary(
            "leaderboard",
            self.leaderboard.GetChallengeBoard,
            leaderboard_pb.GetChallengeBoardRequest(
                challenge_slug=slug,
                limit=limit,
                include_private=include_private,
                challenge_version=version,
            ),
            self.settings.rpc_timeout_seconds,
        )
        return response

    async def final_submissions(
        self, slug: str, version: int, learner_id: str, include_private: bool
    ) -> leaderboard_pb.FinalSubmissionsResponse:
        response: leaderboard_pb.FinalSubmissionsResponse = await self._unary(
            "leaderboard",
            self.leaderboard.GetFinalSubmissions,
            leaderboard_pb.GetFinalSubmissionsRequest(
                challenge_slug=slug,
                challenge_version=version,
                learner_id=learner_id,
                include_private=include_private,
            ),
            self.settings.rpc_timeout_seconds,
        )
        return response

    async def set_final_submissions(
        self, slug: str, version: int, learner_id: str, run_ids: list[str], include_private: bool
    ) -> leaderboard_pb.FinalSubmissionsResponse:
        response: leaderboard_pb.FinalSubmissionsResponse = await self._unary(
            "leaderboard",
            self.leaderboard.SetFinalSubmissions,
            leaderboard_pb.SetFinalSubmissionsRequest(
                challenge_slug=slug,
                challenge_version=version,
                learner_id=learner_id,
                run_ids=run_ids,
                include_private=include_private,
            ),
            self.settings.rpc_timeout_seconds,
        )
        return response

    async def set_challenge_board(
        self, slug: str, hidden: bool, reveal_private: bool, version: int = 0
    ) -> leaderboard_pb.SetChallengeBoardResponse:
        response: leaderboard_pb.SetChallengeBoardResponse = await self._unary(
            "leaderboard",
            self.leaderboard.SetChallengeBoard,
            leaderboard_pb.SetChallengeBoardRequest(
                challenge_slug=slug,
                hidden=hidden,
                reveal_private=reveal_private,
                challenge_version=version,
            ),
            self.settings.rpc_timeout_seconds,
        )
        return response

    # -- apps --------------------------------------------------------------------------------
    async def apps_call(
        self, method: str, response: type[M], request: Message, timeout: float | None = None
    ) -> M:
        """One unary AppsService RPC by name; `response` is the RPC's reply type."""
        call = getattr(self.apps, method)
        reply = await self._unary(
            "apps", call, request, timeout or self.settings.rpc_timeout_seconds
        )
        if not isinstance(reply, response):
            raise TypeError(f"AppsService.{method} answered {type(reply).__name__}")
        return reply

    async def apps_stream(
        self, request: apps_pb.StartAnalysisRequest
    ) -> AsyncIterator[apps_pb.AnalysisEvent]:
        """StartAnalysis: started, progress and sections as they come, then the result."""
        call = self.apps.StartAnalysis(request, timeout=self.settings.execute_timeout_seconds)
        try:
            async for item in call:
                yield item
        except grpc.aio.AioRpcError as err:
            raise map_error(err, "apps") from None

    # -- serving (issue 16) ------------------------------------------------------------------
    async def serving_call(
        self, method: str, response: type[M], request: Message, timeout: float | None = None
    ) -> M:
        """One ServingService RPC by name; `response` is the RPC's reply type."""
        call = getattr(self.serving, method)
        reply = await self._unary(
            "serving", call, request, timeout or self.settings.rpc_timeout_seconds
        )
        if not isinstance(reply, response):
            raise TypeError(f"ServingService.{method} answered {type(reply).__name__}")
        return reply

    # -- analytics ---------------------------------------------------------------------------
    async def dashboard(
        self, request: analytics_pb.DashboardFilter
    ) -> analytics_pb.GetDashboardResponse:
        response: analytics_pb.GetDashboardResponse = await self._unary(
            "analytics",
            self.analytics.GetDashboard,
            analytics_pb.GetDashboardRequest(filter=request),
            self.settings.rpc_timeout_seconds,
        )
        return response

    async def platform(self, window_minutes: int) -> analytics_pb.GetPlatformResponse:
        response: analytics_pb.GetPlatformResponse = await self._unary(
            "analytics",
            self.analytics.GetPlatform,
            analytics_pb.GetPlatformRequest(window_minutes=window_minutes),
            self.settings.rpc_timeout_seconds,
        )
        return response

    # -- health ------------------------------------------------------------------------------
    async def health(self) -> dict[str, str]:
        """Standard gRPC health of every service: SERVING, NOT_SERVING or UNAVAILABLE."""

        async def check(name: str) -> str:
            stub = health_pb2_grpc.HealthStub(self.channels[name])
            try:
                response = await stub.Check(
                    health_pb2.HealthCheckRequest(service=""),
                    timeout=self.settings.health_timeout_seconds,
                )
            except grpc.aio.AioRpcError:
                return "UNAVAILABLE"
            if response.status == health_pb2.HealthCheckResponse.SERVING:
                return "SERVING"
            return "NOT_SERVING"

        statuses = await asyncio.gather(*(check(name) for name in SERVICES))
        return dict(zip(SERVICES, statuses, strict=True))

    async def outboxes(self) -> dict[str, ops_pb.GetOutboxResponse | None]:
        """Every service's outbox lag (`ascent.ops.v1.OpsService`); None when unreachable."""

        async def ask(name: str) -> ops_pb.GetOutboxResponse | None:
            stub = ops_grpc.OpsServiceStub(self.channels[name])
            try:
                response: ops_pb.GetOutboxResponse = await stub.GetOutbox(
                    ops_pb.GetOutboxRequest(), timeout=self.settings.health_timeout_seconds
                )
            except grpc.aio.AioRpcError:
                return None
            return response

        answers = await asyncio.gather(*(ask(name) for name in SERVICES))
        return dict(zip(SERVICES, answers, strict=True))
