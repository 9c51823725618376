"""Recommender logic: profile datasets, learn from scored runs, rank pipelines by similarity.

No transport here: adapters open the unit of work and pass the session in.
"""

from __future__ import annotations

import json
import logging
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ascent.events.v1 import recommender_pb2 as recommender_events
from ascent.types.v1 import run_pb2
from sqlalchemy.orm import Session

from services.common import events
from services.common.datasets import DatasetStore
from services.common.db import utcnow
from services.common.ml.metafeatures import (
    BUILTIN_IRIS,
    MetaFeatures,
    profile_builtin_iris,
    profile_frame,
)
from services.common.ml.pipelines import (
    PipelineSpec,
    Recommendation,
    canonical_spec,
    pipeline_key,
    prior_recommendations,
    spec_from_outcome,
)
from services.common.ml.scoring import ranking_score
from services.common.outbox import enqueue
from services.recommender import collaborative, trust
from services.recommender.apps_evidence import neighbourhood_of
from services.recommender.models import (
    DatasetName,
    DatasetProfile,
    Feedback,
    LearnerChallenge,
    Observation,
)
from services.recommender.next_challenge import Attempts
from services.recommender.profiling import feature_vector, read_csv
from services.recommender.repository import RecommenderRepository

# Basic coordinates (same order as `feature_vector`) and their typical spread: one unit of
# distance is about a tenfold size change, a quarter of the cells missing/categorical, five
# classes, or half the class balance.
FEATURE_SCALES = (math.log(10), math.log(10), 0.25, 0.25, 5.0, 0.5)
# Extended coordinates used when both profiles have them, with their typical spread.
EXTRA_SCALES: dict[str, float] = {
    "class_entropy": 0.3,
    "numeric_ratio": 0.3,
    "skew_mean": 2.0,
    "kurt_mean": 10.0,
    "landmark_stump": 0.15,
    "landmark_nb": 0.15,
    "landmark_1nn": 0.15,
}
SIMILARITY_WIDTH = 0.35
# A pipeline seen on few similar datasets is pulled towards this regret (score below the
# best pipeline of the same dataset) with EVIDENCE_PRIOR pseudo-weight, so one lucky
# observation does not outrank repeated evidence.
EVIDENCE_PRIOR = 0.25
PRIOR_REGRET = 0.05
# Regrets are clipped here: on a tiny dataset a model can score R2 = -3, and one such
# catastrophe should count as "bad", not outweigh everything else.
REGRET_FLOOR = -0.3
# Prior spread of a pipeline's regret, for the Thompson draw.
REGRET_SPREAD = 0.05

# Learner feedback on coach proposals nudges a pipeline's posterior regret by at most this
# much (all accepted / 5 stars vs all rejected / 1 star), shrunk while there are few ratings.
FEEDBACK_WEIGHT = 0.02
FEEDBACK_PRIOR = 2.0

# Collaborative filtering (collaborative.py): a family backed by every similar learner on the
# same kind of data (vote 1.0) gains this much posterior regret in the ranking draw.
PEER_WEIGHT = 0.03

PRIORS_PATH = Path(__file__).with_name("priors.json")
PRODUCER = "recommender"

log = logging.getLogger(__name__)


def feedback_value(rating: int, verdict: str) -> float | None:
    """One number in [-1, 1] per rated proposal (None when it says nothing)."""
    parts: list[float] = []
    if 1 <= rating <= 5:
        parts.append((rating - 3) / 2)
    if verdict in ("accepted", "rejected"):
        parts.append(1.0 if verdict == "accepted" else -1.0)
    return sum(parts) / len(parts) if parts else None


@dataclass(frozen=True)
class KnownResult:
    """One (dataset, pipeline) cell of the knowledge base: mean score over `runs` runs."""

    dataset_key: str
    pipeline_key: str
    pipeline_json: str
    score: float
    runs: int
    duration_ms: float


@dataclass
class Priors:
    """Cold-start knowledge measured by `build_priors` on datasets shipped with packages."""

    profiles: dict[str, MetaFeatures] = field(default_factory=dict)
    results: list[KnownResult] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = PRIORS_PATH) -> Priors:
        if path is None or not path.exists():
            return cls()
        raw = json.loads(path.read_text())
        profiles = {item["dataset_key"]: MetaFeatures(**item) for item in raw.get("datasets", [])}
        results = [
            KnownResult(
                dataset_key=item["dataset_key"],
                pipeline_key=pipeline_key(item["spec"]),
                pipeline_json=json.dumps(canonical_spec(item["spec"]), sort_keys=True),
                score=float(item["score"]),
                runs=1,
                duration_ms=float(item["duration_ms"]),
            )
            for item in raw.get("observations", [])
            if item["dataset_key"] in profiles
        ]
        return cls(profiles, results)


@dataclass(frozen=True)
class ScoredRun:
    run_id: str
    spec: PipelineSpec
    metric: str
    score: float
    duration_ms: int
    # Who the outcome is from, for the caps, and who computed its score (trust.py).
    owner_id: str = ""
    trust: str = ""


def scored_run(run: run_pb2.Run) -> ScoredRun | None:
    """What the knowledge base learns from a run, or None when it teaches nothing."""
    if run.has_error or not run.id:
        return None
    # Challenge runs (submissions and practice) read the challenge's files, not the dataset
    # the run names (empty: the Iris fallback), so their score says nothing about that data.
    if run.challenge_slug:
        return None
    # No fingerprint, no evidence: such a run trained on whatever it liked (trust.py, rule 1).
    if not run.dataset_sha256:
        return None
    # A score the learner's code printed is a claim, not a measurement (rule 2).
    trusted = trust.source(run)
    if trusted is None:
        return None
    outcome = run.outcome
    scored = ranking_score(outcome)
    if scored is None or not math.isfinite(scored.value):
        return None
    spec = spec_from_outcome(outcome.pipeline_json, outcome.model_type)
    if spec is None:
        return None
    return ScoredRun(
        run.id, spec, scored.metric, scored.value, int(run.duration_ms), run.owner_id, trusted
    )


def distance(a: MetaFeatures, b: MetaFeatures) -> float:
    """Root-mean-square of the scaled meta-feature differences (extended ones when both
    profiles have them)."""
    diffs = [
        (x - y) / scale
        for x, y, scale in zip(feature_vector(a), feature_vector(b), FEATURE_SCALES, strict=True)
    ]
    for name, scale in EXTRA_SCALES.items():
        if name in a.extra and name in b.extra:
            diffs.append((a.get(name) - b.get(name)) / scale)
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
        extra=json.loads(row.extra_json or "{}"),
        column_roles=json.loads(row.columns_json or "{}"),
    )


def dataset_label(meta: MetaFeatures, name: str = "") -> str:
    """How a similar dataset is cited: its name (the prior's, or the file it was uploaded
    as), never its content hash, which says nothing to a learner."""
    if meta.dataset_key.startswith(("builtin:", "prior:")):
        return meta.dataset_key.split(":", 1)[1]
    if name:
        return f"{name} ({meta.rows:,} rows)"
    return f"an uploaded {meta.rows:,}-row dataset predicting {meta.target!r}"


# Longest file name kept for citing a dataset.
MAX_DATASET_NAME = 120


def record_dataset_name(session: Session, dataset_sha256: str, filename: str) -> bool:
    """Remember the first name a dataset was uploaded under; False when nothing changed."""
    name = " ".join(filename.split())[:MAX_DATASET_NAME]
    if not dataset_sha256 or not name:
        return False
    repository = RecommenderRepository(session)
    if repository.get_dataset_name(dataset_sha256) is not None:
        return False
    repository.add_dataset_name(
        DatasetName(dataset_key=dataset_sha256, name=name, created_at=utcnow())
    )
    return True


class RecommenderService:
    def __init__(
        self,
        store: DatasetStore,
        neighbours: int = 5,
        default_limit: int = 5,
        priors: Priors | None = None,
        seed: int | None = None,
        explore: float = 1.0,
    ) -> None:
        self.store = store
        self.neighbours = neighbours
        self.default_limit = default_limit
        self.priors = priors if priors is not None else Priors()
        # Thompson sampling: ranking uses one draw from each pipeline's posterior; `explore`
        # scales the draw's spread (0 = rank by the posterior mean).
        self.rng = random.Random(seed)
        self.explore = explore

    # -- profiles ---------------------------------------------------------------------------
    def dataset_key(self, dataset_sha256: str) -> str:
        """Empty means the built-in Iris fallback of the starter template."""
        if not dataset_sha256:
            return BUILTIN_IRIS
        self.store.path(dataset_sha256)
        return dataset_sha256

    def cached_profile(self, session: Session, dataset_key: str) -> MetaFeatures | None:
        row = RecommenderRepository(session).get_profile(dataset_key)
        return to_meta(row) if row is not None else None

    def compute_profile(self, dataset_key: str) -> MetaFeatures:
        """Read and profile the dataset (slow: call outside any transaction)."""
        if dataset_key == BUILTIN_IRIS:
            return profile_builtin_iris()
        return profile_frame(dataset_key, read_csv(self.store.existing_path(dataset_key)))

    def store_profile(self, session: Session, meta: MetaFeatures) -> None:
        RecommenderRepository(session).add_profile(
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
                extra_json=json.dumps(meta.extra, sort_keys=True),
                columns_json=json.dumps(meta.column_roles),
                created_at=utcnow(),
            ),
        )

    # -- learning ---------------------------------------------------------------------------
    def record_run(self, session: Session, scored: ScoredRun, meta: MetaFeatures) -> bool:
        """Add one observation; False when this run is already known or the trust rules
        refuse it (an outlier, a cap reached: trust.py)."""
        repository = RecommenderRepository(session)
        if repository.has_observation(scored.run_id):
            return False
        spec = canonical_spec(scored.spec)
        key = pipeline_key(spec)
        counts = trust.Counts(
            same_cell=repository.count_observations(meta.dataset_key, scored.owner_id, key),
            same_learner=repository.count_observations(meta.dataset_key, scored.owner_id),
            same_dataset=repository.count_observations(meta.dataset_key),
        )
        reason = trust.refusal(scored.score, meta, counts, scored.trust)
        if reason:
            log.info(
                "outcome not learnt",
                extra={"run_id": scored.run_id, "reason": reason, "score": scored.score},
            )
            return False
        repository.add_observation(
            Observation(
                run_id=scored.run_id,
                owner_id=scored.owner_id[:64],
                trust=scored.trust,
                dataset_key=meta.dataset_key,
                task_type=meta.task_type,
                pipeline_key=key,
                pipeline_json=json.dumps(spec, sort_keys=True),
                estimator=spec["estimator"][:200],
                metric=scored.metric,
                score=scored.score,
                duration_ms=scored.duration_ms,
                created_at=utcnow(),
            ),
        )
        # The knowledge base's growth, for the platform's learning dashboard (issue 20 §4).
        enqueue(
            session,
            PRODUCER,
            events.RECOMMENDER_OBSERVATION_RECORDED,
            recommender_events.ObservationRecorded(
                run_id=scored.run_id[:64],
                dataset_key=meta.dataset_key,
                task_type=meta.task_type,
                pipeline_key=key,
                trust=scored.trust,
                metric=scored.metric,
                score=scored.score,
            ),
        )
        return True

    def record_feedback(
        self,
        session: Session,
        proposal_id: str,
        pipeline_keys: list[str],
        rating: int,
        verdict: str,
    ) -> bool:
        """Store the latest feedback on a proposal; False when it carries none."""
        value = feedback_value(rating, verdict)
        if value is None or not proposal_id or not pipeline_keys:
            return False
        now = utcnow()
        RecommenderRepository(session).replace_feedback(
            proposal_id,
            [
                Feedback(proposal_id=proposal_id, pipeline_key=key, value=value, created_at=now)
                for key in dict.fromkeys(pipeline_keys)
            ],
        )
        return True

    # -- recommending -----------------------------------------------------------------------
    def recommend(
        self, session: Session, meta: MetaFeatures, limit: int, learner_id: str = ""
    ) -> list[Recommendation]:
        """Pipelines for the dataset; with a learner, what worked for learners with a history
        like theirs on datasets like it nudges the order (none: ranked as without)."""
        limit = limit if limit > 0 else self.default_limit
        peers = self._family_votes(session, meta, learner_id) if learner_id else {}
        observed = self._observed(session, meta, peers)
        seen = {rec.key for rec in observed}
        priors = [rec for rec in prior_recommendations(meta.task_type) if rec.key not in seen]
        return [*observed, *priors][:limit]

    def _knowledge(
        self, session: Session, task_type: str
    ) -> tuple[dict[str, MetaFeatures], list[KnownResult]]:
        """Priors plus everything learned from runs, for one task type."""
        stats = RecommenderRepository(session).pipeline_stats(task_type)
        profiles = {
            key: to_meta(row)
            for key, row in RecommenderRepository(session)
            .profiles_by_key({r[0] for r in stats})
            .items()
        }
        results = [KnownResult(*row) for row in stats if row[0] in profiles]
        for key, meta in self.priors.profiles.items():
            if meta.task_type == task_type:
                profiles[key] = meta
        results += [r for r in self.priors.results if r.dataset_key in profiles]
        return profiles, results

    def _family_votes(
        self, session: Session, meta: MetaFeatures, learner_id: str
    ) -> dict[str, collaborative.Vote]:
        histories = learner_histories(session)
        target = histories.get(learner_id, collaborative.History(learner_id))
        hood = collaborative.neighbourhood(target, histories.values())
        if not hood.neighbours:
            return {}
        keys = {w.dataset_key for n in hood.neighbours for w in n.history.worked}
        profiles = {
            key: to_meta(row)
            for key, row in RecommenderRepository(session).profiles_by_key(keys).items()
        }

        def dataset_similarity(worked: collaborative.Worked) -> float:
            other = profiles.get(worked.dataset_key)
            return similarity(distance(meta, other)) if other is not None else 0.0

        return collaborative.family_votes(hood, meta.task_type, dataset_similarity)

    def _observed(
        self,
        session: Session,
        meta: MetaFeatures,
        peers: dict[str, collaborative.Vote] | None = None,
    ) -> list[Recommendation]:
        profiles, results = self._knowledge(session, meta.task_type)
        if not results:
            return []
        with_results = {r.dataset_key for r in results}
        nearest = sorted(
            (other for key, other in profiles.items() if key in with_results),
            key=lambda other: (distance(meta, other), other.rows, other.dataset_key),
        )[: self.neighbours]
        dist = {other.dataset_key: distance(meta, other) for other in nearest}
        names = RecommenderRepository(session).dataset_names(set(dist))

        per_dataset: dict[str, dict[str, KnownResult]] = defaultdict(dict)
        specs: dict[str, str] = {}
        for result in results:
            if result.dataset_key in dist:
                per_dataset[result.dataset_key][result.pipeline_key] = result
                specs[result.pipeline_key] = result.pipeline_json
        best_score = {
            key: max(r.score for r in cells.values()) for key, cells in per_dataset.items()
        }
        feedback = RecommenderRepository(session).feedback_by_pipeline()
        best_on: dict[str, int] = defaultdict(int)
        for cells in per_dataset.values():
            best_on[max(cells.values(), key=lambda r: (r.score, -r.duration_ms)).pipeline_key] += 1

        ranked: list[tuple[float, Recommendation]] = []
        for key, spec_json in specs.items():
            weights: list[float] = []
            scores: list[float] = []
            regrets: list[float] = []
            costs: list[float] = []
            support = 0
            worked: list[str] = []
            for other in nearest:
                cell = per_dataset.get(other.dataset_key, {}).get(key)
                if cell is None:
                    continue
                weight = max(similarity(dist[other.dataset_key]), 1e-6)
                weights.append(weight)
                scores.append(cell.score)
                regrets.append(max(REGRET_FLOOR, cell.score - best_score[other.dataset_key]))
                costs.append(cell.duration_ms)
                support += cell.runs
                label = dataset_label(other, names.get(other.dataset_key, ""))
                worked.append(f"{label} ({cell.score:.3f})")
            total = sum(weights)
            mean_score = sum(w * x for w, x in zip(weights, scores, strict=True)) / total
            mean_regret = sum(w * x for w, x in zip(weights, regrets, strict=True)) / total
            spread = sum(w * (x - mean_regret) ** 2 for w, x in zip(weights, regrets, strict=True))
            # Evidence from close datasets counts fully; the pseudo-observation keeps a
            # pipeline seen once far away from outranking one seen often nearby.
            evidence = total / max(weights)
            posterior_mean = (total * mean_regret - EVIDENCE_PRIOR * PRIOR_REGRET) / (
                total + EVIDENCE_PRIOR
            )
            liked, rated = feedback.get(key, (0.0, 0))
            posterior_mean += FEEDBACK_WEIGHT * liked * rated / (rated + FEEDBACK_PRIOR)
            uncertainty = math.sqrt((spread / total + REGRET_SPREAD**2) / (1.0 + evidence))
            draw = posterior_mean + self.explore * uncertainty * self.rng.gauss(0.0, 1.0)
            wins = best_on.get(key, 0)
            spec = canonical_spec(json.loads(spec_json))
            vote = (peers or {}).get(str(spec["estimator"]))
            if vote is not None:
                draw += PEER_WEIGHT * vote.score
            lead = (
                f"worked on {len(worked)} similar dataset(s): {', '.join(worked[:4])}"
                + (f"; best on {wins} of them" if wins else "")
                + (f"; learners rated it {liked:+.1f} on {rated} proposal(s)" if rated else "")
                + (
                    f"; {collaborative.family_reason(vote, str(spec['estimator']))}"
                    if vote is not None
                    else ""
                )
            )
            ranked.append(
                (
                    draw,
                    Recommendation(
                        spec=spec,
                        key=key,
                        expected_score=round(mean_score, 6),
                        support=support,
                        rationale=lead,
                        uncertainty=round(uncertainty, 6),
                        expected_cost_ms=round(
                            sum(w * c for w, c in zip(weights, costs, strict=True)) / total, 1
                        ),
                    ),
                )
            )
        ranked.sort(key=lambda item: (-item[0], -item[1].support, item[1].key))
        return [rec for _, rec in ranked]


# -- learners (next-challenge recommendations) ---------------------------------------------
def record_challenge_attempt(session: Session, run: run_pb2.Run) -> bool:
    """Fold one challenge submission into the learner's record; False when it is none.

    Not-gradable submissions (no predictions, wrong shape, crash) count as failed attempts;
    a grader outage ("unavailable") is not the learner's doing and counts as nothing, nor is
    a practice run (the learner trying code on the challenge data, never graded).
    """
    slug = run.challenge_slug or run.grade.challenge_slug
    grade = run.grade
    if (
        not slug
        or run.practice
        or not run.owner_id
        or not run.HasField("grade")
        or grade.status == "unavailable"
    ):
        return False
    at = run.created_at.ToDatetime(tzinfo=UTC) if run.created_at.seconds else utcnow()
    row = RecommenderRepository(session).learner_challenge(run.owner_id, slug)
    if row is None:
        row = LearnerChallenge(
            learner_id=run.owner_id,
            challenge_slug=slug,
            attempts=0,
            failed=0,
            passed=False,
            metric=grade.metric,
            lower_is_better=grade.lower_is_better,
            pass_threshold=grade.pass_threshold,
            last_at=at,
        )
        RecommenderRepository(session).add_learner_challenge(row)
    row.attempts += 1
    score = grade.public_score if grade.HasField("public_score") else None
    if grade.status == "graded" and score is not None and math.isfinite(score):
        best = row.best_score
        if best is None or (score < best if grade.lower_is_better else score > best):
            row.best_score = score
    if grade.passed:
        row.passed = True
        if row.passed_at is None or _aware(row.passed_at) > at:
            row.passed_at = at
    else:
        row.failed += 1
    row.metric = grade.metric or row.metric
    row.lower_is_better = grade.lower_is_better
    row.pass_threshold = grade.pass_threshold or row.pass_threshold
    row.last_at = max(_aware(row.last_at), at)
    session.flush()
    return True


def _aware(at: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns.
    return at.replace(tzinfo=at.tzinfo or UTC)


def learner_histories(session: Session) -> dict[str, collaborative.History]:
    """Every learner's history for collaborative filtering: their challenge records and, per
    dataset they worked on (trusted observations only), the family that scored best."""
    repository = RecommenderRepository(session)
    records: dict[str, list[collaborative.ChallengeRecord]] = defaultdict(list)
    for row in repository.all_learner_challenges():
        if row.attempts <= 0:
            continue
        order = _aware(row.passed_at or row.last_at).timestamp() if row.passed else 0.0
        quality = collaborative.attempt_quality(
            row.passed, row.best_score, row.pass_threshold, row.lower_is_better
        )
        records[row.learner_id].append(
            collaborative.ChallengeRecord(row.challenge_slug, row.passed, quality, order)
        )
    best: dict[tuple[str, str], tuple[float, str, str]] = {}
    for owner, dataset_key, task_type, estimator, score in repository.learner_best_scores():
        current = best.get((owner, dataset_key))
        if current is None or score > current[0]:
            best[(owner, dataset_key)] = (score, estimator, task_type)
    profiles = repository.profiles_by_key({key for _, key in best})
    worked: dict[str, list[collaborative.Worked]] = defaultdict(list)
    for (owner, dataset_key), (score, estimator, task_type) in best.items():
        profile = profiles.get(dataset_key)
        bucket = neighbourhood_of(to_meta(profile)) if profile is not None else task_type
        worked[owner].append(collaborative.Worked(dataset_key, task_type, bucket, estimator, score))
    return {
        learner: collaborative.History(learner, tuple(records[learner]), tuple(worked[learner]))
        for learner in sorted(records.keys() | worked.keys())
    }


def learner_attempts(session: Session, learner_id: str) -> dict[str, Attempts]:
    return {
        row.challenge_slug: Attempts(
            challenge_slug=row.challenge_slug,
            attempts=row.attempts,
            failed=row.failed,
            best_score=row.best_score,
            passed=row.passed,
        )
        for row in RecommenderRepository(session).learner_challenges(learner_id)
    }
