"""gRPC client of the recommender; failures turn into "no advice", never into errors."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import grpc
from ascent.recommender.v1 import recommender_service_pb2 as pb
from ascent.recommender.v1 import recommender_service_pb2_grpc as pb_grpc

from services.common.ml.metafeatures import BUILTIN_IRIS, MetaFeatures
from services.common.ml.pipelines import Recommendation, canonical_spec
from services.common.rpc import CHANNEL_OPTIONS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Advice:
    profile: MetaFeatures
    recommendations: list[Recommendation]


def _meta(message: pb.MetaFeatures) -> MetaFeatures:
    return MetaFeatures(
        dataset_key=message.dataset_sha256 or BUILTIN_IRIS,
        rows=message.rows,
        columns=message.columns,
        task_type=message.task_type,
        n_classes=message.n_classes,
        missing_ratio=message.missing_ratio,
        categorical_ratio=message.categorical_ratio,
        class_imbalance=message.class_imbalance,
        target=message.target,
        extra=dict(message.extra),
        column_roles=dict(message.column_roles),
    )


def _recommendation(message: pb.PipelineRecommendation) -> Recommendation | None:
    try:
        spec = canonical_spec(json.loads(message.pipeline_json))
    except ValueError:
        return None
    return Recommendation(
        spec=spec,
        key=message.key,
        expected_score=message.expected_score,
        support=message.support,
        rationale=message.rationale,
        uncertainty=message.uncertainty,
        expected_cost_ms=message.expected_cost_ms,
    )


class RecommenderClient:
    def __init__(self, addr: str, timeout: float) -> None:
        self.addr = addr
        self.timeout = timeout
        self.channel = grpc.aio.insecure_channel(addr, options=CHANNEL_OPTIONS)
        self.stub = pb_grpc.RecommenderServiceStub(self.channel)

    async def advise(self, dataset_sha256: str, limit: int, learner_id: str = "") -> Advice | None:
        """The recommender's pipelines for the dataset; with the learner, blended with what
        worked for learners with a history like theirs (collaborative filtering)."""
        try:
            response = await self.stub.Recommend(
                pb.RecommendRequest(
                    dataset_sha256=dataset_sha256, limit=limit, learner_id=learner_id
                ),
                timeout=self.timeout,
            )
        except grpc.aio.AioRpcError as err:
            log.warning(
                "recommender unavailable; using built-in priors",
                extra={"code": err.code().name, "details": err.details()},
            )
            return None
        recs = [rec for m in response.pipelines if (rec := _recommendation(m)) is not None]
        return Advice(profile=_meta(response.meta_features), recommendations=recs)

    async def close(self) -> None:
        await self.channel.close(None)
