"""gRPC adapter: opens units of work, converts to and from protobuf (services.common.rpc maps
errors)."""

from __future__ import annotations

import asyncio
import json

import grpc
from ascent.recommender.v1 import recommender_service_pb2 as pb
from ascent.recommender.v1 import recommender_service_pb2_grpc as pb_grpc

from services.common.db import Database
from services.common.errors import AscentError
from services.common.ml.metafeatures import BUILTIN_IRIS, MetaFeatures
from services.common.ml.pipelines import Recommendation
from services.recommender import collaborative
from services.recommender.apps_evidence import app_evidence, neighbourhood_of
from services.recommender.flows import ensure_profile
from services.recommender.next_challenge import (
    Attempts,
    CatalogChallenge,
    Ranking,
    rank_challenges,
)
from services.recommender.progress_client import ProgressClient, ensure_learner
from services.recommender.service import (
    RecommenderService,
    learner_attempts,
    learner_histories,
)

DEFAULT_CHALLENGES = 3


def meta_to_pb(meta: MetaFeatures) -> pb.MetaFeatures:
    return pb.MetaFeatures(
        dataset_sha256="" if meta.dataset_key == BUILTIN_IRIS else meta.dataset_key,
        rows=meta.rows,
        columns=meta.columns,
        task_type=meta.task_type,
        n_classes=meta.n_classes,
        missing_ratio=meta.missing_ratio,
        categorical_ratio=meta.categorical_ratio,
        class_imbalance=meta.class_imbalance,
        target=meta.target,
        extra=meta.extra,
        column_roles=meta.column_roles,
    )


def recommendation_to_pb(rec: Recommendation) -> pb.PipelineRecommendation:
    return pb.PipelineRecommendation(
        pipeline_json=json.dumps(rec.spec, sort_keys=True),
        key=rec.key,
        expected_score=rec.expected_score,
        support=rec.support,
        rationale=rec.rationale,
        uncertainty=rec.uncertainty,
        expected_cost_ms=rec.expected_cost_ms,
    )


class RecommenderServicer(pb_grpc.RecommenderServiceServicer):
    def __init__(
        self, db: Database, service: RecommenderService, progress: ProgressClient | None = None
    ) -> None:
        self.db = db
        self.service = service
        self.progress = progress

    async def Profile(
        self,
        request: pb.ProfileRequest,
        context: grpc.aio.ServicerContext[pb.ProfileRequest, pb.ProfileResponse],
    ) -> pb.ProfileResponse:
        meta = await asyncio.to_thread(
            ensure_profile, self.db, self.service, request.dataset_sha256
        )
        return pb.ProfileResponse(meta_features=meta_to_pb(meta))

    async def Recommend(
        self,
        request: pb.RecommendRequest,
        context: grpc.aio.ServicerContext[pb.RecommendRequest, pb.RecommendResponse],
    ) -> pb.RecommendResponse:
        learner_id = ensure_learner(request.learner_id) if request.learner_id else ""
        meta, recs = await asyncio.to_thread(
            self._recommend, request.dataset_sha256, request.limit, learner_id
        )
        return pb.RecommendResponse(
            meta_features=meta_to_pb(meta), pipelines=[recommendation_to_pb(r) for r in recs]
        )

    def _recommend(
        self, dataset_sha256: str, limit: int, learner_id: str = ""
    ) -> tuple[MetaFeatures, list[Recommendation]]:
        meta = ensure_profile(self.db, self.service, dataset_sha256)
        with self.db.session() as session:
            return meta, self.service.recommend(session, meta, limit, learner_id)

    async def AppEvidence(
        self,
        request: pb.AppEvidenceRequest,
        context: grpc.aio.ServicerContext[pb.AppEvidenceRequest, pb.AppEvidenceResponse],
    ) -> pb.AppEvidenceResponse:
        return await asyncio.to_thread(self._app_evidence, request)

    def _app_evidence(self, request: pb.AppEvidenceRequest) -> pb.AppEvidenceResponse:
        neighbourhood = request.neighbourhood.strip()[:100]
        if not neighbourhood and request.dataset_sha256:
            # No app ran on the dataset yet: its neighbourhood from our own profile of it.
            neighbourhood = neighbourhood_of(
                ensure_profile(self.db, self.service, request.dataset_sha256)
            )
        with self.db.session() as session:
            return app_evidence(session, request.app_slug, neighbourhood)

    async def RecommendChallenge(
        self,
        request: pb.RecommendChallengeRequest,
        context: grpc.aio.ServicerContext[
            pb.RecommendChallengeRequest, pb.RecommendChallengeResponse
        ],
    ) -> pb.RecommendChallengeResponse:
        ranking, graded = await self._recommend_challenge(request)
        return ranking_to_pb(ranking, graded)

    async def _recommend_challenge(
        self, request: pb.RecommendChallengeRequest
    ) -> tuple[Ranking, int]:
        learner_id = ensure_learner(request.learner_id)
        if self.progress is None:
            raise AscentError("unavailable", "The progress service is not configured.")
        # Lock state and passes are progress's; what the attempts showed is ours.
        tracks = await self.progress.list_tracks(learner_id)

        def load() -> tuple[dict[str, Attempts], dict[str, collaborative.History]]:
            with self.db.session() as session:
                return learner_attempts(session, learner_id), learner_histories(session)

        attempts, histories = await asyncio.to_thread(load)
        catalog = [
            CatalogChallenge(
                slug=c.slug,
                title=c.title,
                track_slug=track.slug,
                track_title=track.title,
                track_position=track.position,
                position=c.position,
                metric=c.metric,
                pass_threshold=c.pass_threshold,
                lower_is_better=c.lower_is_better,
                task_type=c.task_type,
                tags=tuple(c.tags),
                requires=tuple(c.requires),
                unlocked=c.unlocked,
                passed=c.passed,
                best_score=c.best_score if c.HasField("best_score") else None,
            )
            for track in tracks
            for c in track.challenges
        ]
        limit = request.limit if request.limit > 0 else DEFAULT_CHALLENGES
        graded = sum(a.attempts for a in attempts.values())
        # What learners with a history like this one passed next, among what is open here.
        target = histories.get(learner_id, collaborative.History(learner_id))
        hood = collaborative.neighbourhood(target, histories.values())
        open_slugs = [c.slug for c in catalog if c.unlocked and not c.passed]
        peers = collaborative.challenge_votes(target, hood, open_slugs)
        return rank_challenges(catalog, attempts, min(limit, 20), peers), graded


def ranking_to_pb(ranking: Ranking, graded_runs: int) -> pb.RecommendChallengeResponse:
    challenges = []
    for s in ranking.suggestions:
        c = s.challenge
        message = pb.ChallengeSuggestion(
            challenge_slug=c.slug,
            title=c.title,
            track_slug=c.track_slug,
            track_title=c.track_title,
            score=s.score,
            rationale=s.rationale,
            reason=s.reason,
            skills=c.skills,
            metric=c.metric,
            pass_threshold=c.pass_threshold,
            attempts=s.attempts.attempts if s.attempts else 0,
        )
        best = s.attempts.best_score if s.attempts else None
        if best is None:
            best = c.best_score
        if best is not None:
            message.best_score = best
        challenges.append(message)
    return pb.RecommendChallengeResponse(
        challenges=challenges,
        weak_spots=[
            pb.WeakSpot(skill=w.skill, label=w.label, weakness=w.weakness, evidence=w.evidence)
            for w in ranking.weak_spots
        ],
        graded_runs=graded_runs,
        note=ranking.note,
    )
