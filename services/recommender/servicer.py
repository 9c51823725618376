"""gRPC adapter: opens units of work, maps errors, converts to and from protobuf."""

from __future__ import annotations

import asyncio
import json

import grpc
from ascent.recommender.v1 import recommender_service_pb2 as pb
from ascent.recommender.v1 import recommender_service_pb2_grpc as pb_grpc

from services.common.db import Database
from services.common.errors import AscentError
from services.recommender.flows import ensure_profile
from services.recommender.profiling import BUILTIN_IRIS, MetaFeatures
from services.recommender.service import Recommendation, RecommenderService


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
    def __init__(self, db: Database, service: RecommenderService) -> None:
        self.db = db
        self.service = service

    async def Profile(
        self, request: pb.ProfileRequest, context: grpc.aio.ServicerContext
    ) -> pb.ProfileResponse:
        try:
            meta = await asyncio.to_thread(
                ensure_profile, self.db, self.service, request.dataset_sha256
            )
        except AscentError as err:
            await context.abort(err.grpc_status, err.message)
        return pb.ProfileResponse(meta_features=meta_to_pb(meta))

    async def Recommend(
        self, request: pb.RecommendRequest, context: grpc.aio.ServicerContext
    ) -> pb.RecommendResponse:
        try:
            meta, recs = await asyncio.to_thread(
                self._recommend, request.dataset_sha256, request.limit
            )
        except AscentError as err:
            await context.abort(err.grpc_status, err.message)
        return pb.RecommendResponse(
            meta_features=meta_to_pb(meta), pipelines=[recommendation_to_pb(r) for r in recs]
        )

    def _recommend(
        self, dataset_sha256: str, limit: int
    ) -> tuple[MetaFeatures, list[Recommendation]]:
        meta = ensure_profile(self.db, self.service, dataset_sha256)
        with self.db.session() as session:
            return meta, self.service.recommend(session, meta, limit)
