"""Self-improvement of the Model Explainability Suite (issue 15): learners rate each
explanation useful or not, and the ratings of learners at a level order that level's
explanations — the seed's "learn which explanations are most effective for different
audiences" with the explorer's rule: weight = 0.5 + P(useful), Beta(1, 1) prior, so an
explanation without ratings keeps weight 1.0 and the program's order breaks ties."""

from __future__ import annotations

import json

from ascent.apps.v1 import apps_service_pb2 as pb
from ascent.events.v1 import apps_pb2
from sqlalchemy.orm import Session

from services.apps.models import ExplanationRating
from services.apps.repository import AppsRepository
from services.common import events
from services.common.db import utcnow
from services.common.errors import AscentError
from services.common.outbox import enqueue

EXPLAIN = "explain"
MODEL = "model"
# The explanations each level shows, in the program's order (EXPLANATIONS in
# programs/explain.py.tmpl, which must stay standalone; tests/apps/test_explanations.py
# checks the two agree).
EXPLANATIONS: dict[str, tuple[str, ...]] = {
    "beginner": ("importance",),
    "intermediate": ("importance", "beeswarm", "waterfall", "permutation"),
    "advanced": (
        "importance",
        "beeswarm",
        "waterfall",
        "permutation",
        "dependence",
        "counterfactual",
        "bias",
    ),
}


def _weight(useful: int, not_useful: int) -> float:
    return 0.5 + (useful + 1.0) / (useful + not_useful + 2.0)


def ranking(repo: AppsRepository, level: str) -> pb.ExplanationRanking:
    if level not in EXPLANATIONS:
        raise AscentError("invalid_argument", f"level must be one of {', '.join(EXPLANATIONS)}.")
    counts = repo.explanation_counts(level)
    ranks = []
    for position, explanation in enumerate(EXPLANATIONS[level]):
        useful, not_useful = counts.get(explanation, (0, 0))
        weight = _weight(useful, not_useful)
        ranks.append((-weight, position, explanation, useful, not_useful, weight))
    ranks.sort()
    return pb.ExplanationRanking(
        level=level,
        ranks=[
            pb.ExplanationRank(
                explanation=explanation, useful=useful, not_useful=not_useful, weight=weight
            )
            for _, _, explanation, useful, not_useful, weight in ranks
        ],
    )


def rank(session: Session, level: str) -> pb.ExplanationRanking:
    return ranking(AppsRepository(session), level)


def _level_of(repo: AppsRepository, analysis_id: str) -> tuple[str, set[str]]:
    """The level an analysis was explained at and the explanations it has (its sections)."""
    sections = repo.sections(analysis_id)
    level = ""
    for section in sections:
        if section.kind == MODEL:
            level = str(json.loads(section.data_json).get("depth", ""))
    return level, {s.kind for s in sections}


def rate(session: Session, request: pb.RateExplanationRequest) -> pb.ExplanationRanking:
    """Record the learner's rating of one explanation of their analysis (again: the latest
    counts) and publish it; returns the level's order after it."""
    repo = AppsRepository(session)
    row = repo.analysis(request.analysis_id)
    if row is None or row.owner_id != request.owner_id or row.app_slug != EXPLAIN:
        raise AscentError("not_found", "There is no such explanation analysis.")
    level, kinds = _level_of(repo, row.id)
    if level not in EXPLANATIONS or row.status != "completed":
        raise AscentError("unprocessable", "Only a completed explanation can be rated.")
    explanation = request.explanation.strip()
    if explanation not in EXPLANATIONS[level] or explanation not in kinds:
        raise AscentError(
            "invalid_argument",
            f"This analysis has no explanation {explanation[:40]!r} to rate; it shows "
            f"{', '.join(k for k in EXPLANATIONS[level] if k in kinds)}.",
        )
    existing = repo.explanation_rating(row.id, explanation)
    if existing is None:
        repo.add_explanation_rating(
            ExplanationRating(
                analysis_id=row.id,
                explanation=explanation,
                owner_id=row.owner_id,
                level=level,
                useful=request.useful,
                rated_at=utcnow(),
            )
        )
    elif existing.useful != request.useful:
        existing.useful, existing.rated_at = request.useful, utcnow()
    else:
        return ranking(repo, level)  # the same rating again changes nothing
    enqueue(
        session,
        "apps",
        events.APPS_EXPLANATION_RATED,
        apps_pb2.ExplanationRated(
            analysis_id=row.id,
            owner_id=row.owner_id,
            explanation=explanation,
            level=level,
            useful=request.useful,
            dataset_sha256=row.dataset_sha256,
        ),
    )
    session.flush()
    return ranking(repo, level)
