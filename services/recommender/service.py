"""Recommender logic: profile datasets, learn from scored runs, rank pipelines by similarity.

No transport here: adapters open the unit of work and pass the session in.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass

from ascent.types.v1 import run_pb2
from sqlalchemy.orm import Session

from services.common.datasets import DatasetStore
from services.common.db import utcnow
from services.recommender import repository
from services.recommender.models import DatasetProfile, Observation
from services.recommender.pipelines import (
    PipelineSpec,
    Recommendation,
    canonical_spec,
    pipeline_key,
    prior_recommendations,
    spec_from_outcome,
)
from services.recommender.profiling import (
    BUILTIN_IRIS,
    MetaFeatures,
    feature_vector,
    profile_builtin_iris,
    profile_frame,
    read_csv,
)

# Typical spread of each meta-feature (same order as `feature_vector`): one unit of distance
# is about a tenfold size change, a quarter of the cells missing/categorical, five classes,
# or half the class balance.
FEATURE_SCALES = (math.log(10), math.log(10), 0.25, 0.25, 5.0, 0.5)
SIMILARITY_WIDTH = 0.35
# Ranking shrinks a pipeline's weighted mean towards zero by this much pseudo-weight, so a
# score seen once on a distant dataset does not outrank one seen on close neighbours; the
# reported expected score stays the plain weighted mean.
EVIDENCE_PRIOR = 0.25


@dataclass(frozen=True)
class ScoredRun:
    run_id: str
    spec: PipelineSpec
    metric: str
    score: float
    duration_ms: int


def scored_run(run: run_pb2.Run) -> ScoredRun | None:
    """What the knowledge base learns from a run, or None when it teaches nothing."""
    if run.has_error or not run.id:
        return None
    outcome = run.outcome
    if outcome.HasField("accuracy"):
        metric, score = "accuracy", outcome.accuracy
    elif outcome.HasField("r2"):
        metric, score = "r2", outcome.r2
    else:
        return None
    if not math.isfinite(score):
        return None
    spec = spec_from_outcome(outcome.pipeline_json, outcome.model_type)
    if spec is None:
        return None
    return ScoredRun(run.id, spec, metric, float(score), int(run.duration_ms))


def distance(a: MetaFeatures, b: MetaFeatures) -> float:
    """Root-mean-square of the scaled meta-feature differences."""
    diffs = [
        (x - y) / scale
        for x, y, scale in zip(feature_vector(a), feature_vector(b), FEATURE_SCALES, strict=True)
    ]
    return math.sqrt(sum(d * d for d in diffs) / len(diffs))


def similarity(dist: float) -> float:
    """Gaussian kernel: a dataset one unit away counts ~2% as much as an identical one."""
    return math.exp(-(dist**2) / (2 * SIMILARITY_WIDTH**2))


def to_meta(row: DatasetProfile) -> MetaFeatures:
    return MetaFeatures(
        dataset_key=row.dataset_key,
        rows=row.rows,
        columns=row.columns,
        task_type=row.task_type,
        n_classes=row.n_classes,
        missing_ratio=row.missing_ratio,
        categorical_ratio=row.categorical_ratio,
        class_imbalance=row.class_imbalance,
        target=row.target,
    )


def dataset_label(meta: MetaFeatures) -> str:
    if meta.dataset_key.startswith("builtin:"):
        return meta.dataset_key.split(":", 1)[1]
    return f"{meta.dataset_key[:8]} (target {meta.target!r})"


class RecommenderService:
    def __init__(self, store: DatasetStore, neighbours: int = 5, default_limit: int = 5) -> None:
        self.store = store
        self.neighbours = neighbours
        self.default_limit = default_limit

    # -- profiles ---------------------------------------------------------------------------
    def dataset_key(self, dataset_sha256: str) -> str:
        """Empty means the built-in Iris fallback of the starter template."""
        if not dataset_sha256:
            return BUILTIN_IRIS
        self.store.path(dataset_sha256)
        return dataset_sha256

    def cached_profile(self, session: Session, dataset_key: str) -> MetaFeatures | None:
        row = repository.get_profile(session, dataset_key)
        return to_meta(row) if row is not None else None

    def compute_profile(self, dataset_key: str) -> MetaFeatures:
        """Read and profile the dataset (slow: call outside any transaction)."""
        if dataset_key == BUILTIN_IRIS:
            return profile_builtin_iris()
        return profile_frame(dataset_key, read_csv(self.store.existing_path(dataset_key)))

    def store_profile(self, session: Session, meta: MetaFeatures) -> None:
        repository.add_profile(
            session,
            DatasetProfile(
                dataset_key=meta.dataset_key,
                rows=meta.rows,
                columns=meta.columns,
                task_type=meta.task_type,
                n_classes=meta.n_classes,
                missing_ratio=meta.missing_ratio,
                categorical_ratio=meta.categorical_ratio,
                class_imbalance=meta.class_imbalance,
                target=meta.target,
                created_at=utcnow(),
            ),
        )

    # -- learning ---------------------------------------------------------------------------
    def record_run(self, session: Session, scored: ScoredRun, meta: MetaFeatures) -> bool:
        """Add one observation; False when this run is already known."""
        if repository.has_observation(session, scored.run_id):
            return False
        spec = canonical_spec(scored.spec)
        repository.add_observation(
            session,
            Observation(
                run_id=scored.run_id,
                dataset_key=meta.dataset_key,
                task_type=meta.task_type,
                pipeline_key=pipeline_key(spec),
                pipeline_json=json.dumps(spec, sort_keys=True),
                estimator=spec["estimator"][:200],
                metric=scored.metric,
                score=scored.score,
                duration_ms=scored.duration_ms,
                created_at=utcnow(),
            ),
        )
        return True

    # -- recommending -----------------------------------------------------------------------
    def recommend(self, session: Session, meta: MetaFeatures, limit: int) -> list[Recommendation]:
        limit = limit if limit > 0 else self.default_limit
        observed = self._observed(session, meta)
        seen = {rec.key for rec in observed}
        priors = [rec for rec in prior_recommendations(meta.task_type) if rec.key not in seen]
        return [*observed, *priors][:limit]

    def _observed(self, session: Session, meta: MetaFeatures) -> list[Recommendation]:
        stats = repository.pipeline_stats(session, meta.task_type)
        if not stats:
            return []
        profiles = repository.profiles_by_key(session, {row[0] for row in stats})
        known = {key: to_meta(row) for key, row in profiles.items()}
        nearest = sorted(known.values(), key=lambda other: (distance(meta, other), other.rows))
        nearest = nearest[: self.neighbours]
        dist = {other.dataset_key: distance(meta, other) for other in nearest}

        per_dataset: dict[str, dict[str, tuple[float, int]]] = defaultdict(dict)
        specs: dict[str, str] = {}
        for dataset_key, key, spec_json, mean, count in stats:
            if dataset_key in dist:
                per_dataset[dataset_key][key] = (mean, count)
                specs[key] = spec_json
        best_on: dict[str, int] = defaultdict(int)
        for scores in per_dataset.values():
            top = max(scores.items(), key=lambda item: item[1][0])[0]
            best_on[top] += 1

        ranked: list[tuple[float, Recommendation]] = []
        for key, spec_json in specs.items():
            weight_sum = score_sum = 0.0
            support = 0
            datasets: list[MetaFeatures] = []
            for other in nearest:
                entry = per_dataset.get(other.dataset_key, {}).get(key)
                if entry is None:
                    continue
                weight = similarity(dist[other.dataset_key])
                weight_sum += weight
                score_sum += weight * entry[0]
                support += entry[1]
                datasets.append(other)
            closest = datasets[0]
            lead = (
                f"best on {best_on[key]} of {len(datasets)} similar dataset(s)"
                if best_on[key]
                else f"observed on {len(datasets)} similar dataset(s)"
            )
            rationale = (
                f"{lead}, mean score {score_sum / weight_sum:.3f} over {support} run(s) "
                f"(nearest: {dataset_label(closest)}, distance "
                f"{dist[closest.dataset_key]:.2f})"
            )
            confidence = score_sum / (weight_sum + EVIDENCE_PRIOR)
            ranked.append(
                (
                    confidence,
                    Recommendation(
                        spec=canonical_spec(json.loads(spec_json)),
                        key=key,
                        expected_score=round(score_sum / weight_sum, 6),
                        support=support,
                        rationale=rationale,
                    ),
                )
            )
        ranked.sort(key=lambda item: (-item[0], -item[1].support, item[1].key))
        return [rec for _, rec in ranked]
