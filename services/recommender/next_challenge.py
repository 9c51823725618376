"""The learner's next challenge: rank open challenges from what their graded runs show.

Pure logic (no transport, no database): the servicer passes the catalog (progress's
ListTracks for this learner: lock state, passes, metric, task type, tags) and the learner's
attempts (learnt from `learning.run.completed.v1` challenge submissions).

A challenge practises *skills*: its task type, its metric and its tags. A skill is weak when
the learner's attempted-but-unpassed challenges with it fall short of their thresholds (far
short or no graded score counts fully; passes count as strength). Open challenges are then
ranked by: finishing a near miss, practising a weak skill elsewhere, the next step a pass
unlocked, a skill not tried yet, and finally catalog order (earlier tracks first).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.common.ml.scoring import metric_label, metric_task
from services.recommender.collaborative import Vote, challenge_reason

# A skill counts as weak from this average shortfall on (0 = passed everywhere, 1 = far off).
WEAK_FROM = 0.3
# An unpassed attempt weighs at least this much, plus SHORTFALL_SCALE × its relative gap to
# the threshold: 5% short of 0.90 accuracy → 0.47; 25% short or no graded score → 1.0.
MIN_MISS = 0.3
SHORTFALL_SCALE = 3.0

# Ranking weights: a near miss to finish first, then practice on a weak skill, then the
# next step unlocked by a pass, then something new; catalog order breaks ties.
RETRY_WEIGHT = 2.0
RETRY_BASE = 0.5
WEAK_WEIGHT = 1.5
NEXT_STEP_WEIGHT = 0.6
NEW_SKILL_WEIGHT = 0.3
ORDER_WEIGHT = 0.001  # per catalog step; a whole track (100 steps) weighs 0.1
# Collaborative filtering (collaborative.py): a vote in [0, 1] (the share of similar learners'
# similarity behind "passed it next") weighs up to this: as much as a pass opening it plus a
# new skill, less than a near miss. Chosen on the benchmark's development population, then
# measured on another (bench/bench_cf.py, bench/README.md).
PEER_WEIGHT = 1.0


@dataclass(frozen=True)
class CatalogChallenge:
    slug: str
    title: str
    track_slug: str
    track_title: str
    track_position: int
    position: int
    metric: str
    pass_threshold: float
    lower_is_better: bool = False
    task_type: str = ""
    tags: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    unlocked: bool = True
    passed: bool = False
    best_score: float | None = None

    @property
    def skills(self) -> list[str]:
        task = self.task_type or metric_task(self.metric)
        return [f"task:{task}", f"metric:{self.metric}", *(f"tag:{t}" for t in self.tags)]


@dataclass(frozen=True)
class Attempts:
    """What the learner's submissions to one challenge showed."""

    challenge_slug: str
    attempts: int
    failed: int
    best_score: float | None
    passed: bool


@dataclass(frozen=True)
class WeakSpot:
    skill: str
    label: str
    weakness: float
    evidence: str


@dataclass(frozen=True)
class Suggestion:
    challenge: CatalogChallenge
    score: float
    reason: str
    rationale: str
    attempts: Attempts | None


@dataclass
class Ranking:
    suggestions: list[Suggestion] = field(default_factory=list)
    weak_spots: list[WeakSpot] = field(default_factory=list)
    note: str = ""


def skill_label(skill: str) -> str:
    kind, _, name = skill.partition(":")
    if kind == "metric":
        return metric_label(name)
    if kind == "tag":
        return name.replace("-", " ") + " challenges"
    return name


def fmt(value: float) -> str:
    return f"{value:.3g}" if abs(value) >= 10 else f"{value:.2f}"


def shortfall(best: float | None, threshold: float, lower_is_better: bool) -> float:
    """How far the best score is from the threshold, relative to it: 0 (reached) .. 1."""
    if best is None:
        return 1.0
    gap = best - threshold if lower_is_better else threshold - best
    return min(1.0, max(0.0, gap / max(abs(threshold), 1e-9)))


def miss_weight(challenge: CatalogChallenge, attempt: Attempts) -> float:
    """0 for a pass; MIN_MISS..1 for an attempt that did not pass."""
    if attempt.passed or challenge.passed:
        return 0.0
    gap = shortfall(attempt.best_score, challenge.pass_threshold, challenge.lower_is_better)
    return min(1.0, MIN_MISS + SHORTFALL_SCALE * gap)


def _evidence(challenge: CatalogChallenge, attempt: Attempts) -> str:
    if attempt.best_score is None:
        return f"{attempt.failed} failed attempt(s) on {challenge.title}"
    return f"{fmt(attempt.best_score)} vs {fmt(challenge.pass_threshold)} on {challenge.title}"


def weak_spots(
    catalog: list[CatalogChallenge], attempts: dict[str, Attempts]
) -> tuple[dict[str, float], list[WeakSpot]]:
    """Weakness per practised skill, and the weak ones (worst first) with their evidence."""
    weights: dict[str, list[float]] = defaultdict(list)
    worst: dict[str, tuple[float, str]] = {}
    for challenge in catalog:
        attempt = attempts.get(challenge.slug)
        if attempt is None or attempt.attempts == 0:
            continue
        weight = miss_weight(challenge, attempt)
        for skill in challenge.skills:
            weights[skill].append(weight)
            if weight > 0 and weight >= worst.get(skill, (0.0, ""))[0]:
                worst[skill] = (weight, _evidence(challenge, attempt))
    weakness = {skill: sum(w) / len(w) for skill, w in weights.items()}
    spots = [
        WeakSpot(skill, skill_label(skill), round(value, 3), worst[skill][1])
        for skill, value in weakness.items()
        if value >= WEAK_FROM and skill in worst
    ]
    # Metrics and tags say more than a task type; ties keep the stronger evidence first.
    spots.sort(key=lambda s: (-s.weakness, s.skill.startswith("task:"), s.skill))
    return weakness, spots


def rank_challenges(
    catalog: list[CatalogChallenge],
    attempts: dict[str, Attempts],
    limit: int = 3,
    peers: Mapping[str, Vote] | None = None,
    peer_weight: float = PEER_WEIGHT,
) -> Ranking:
    """Open challenges ranked for the learner. `peers`: what learners with a similar history
    passed next (collaborative.challenge_votes); none (a cold start) ranks as without it."""
    weakness, spots = weak_spots(catalog, attempts)
    titles = {c.slug: c.title for c in catalog}
    passed = {c.slug for c in catalog if c.passed} | {
        slug for slug, a in attempts.items() if a.passed
    }
    practised = set(weakness)
    open_ones = [c for c in catalog if c.unlocked and c.slug not in passed]
    if not open_ones:
        note = (
            "Every challenge is passed: well done."
            if len(passed) >= len(catalog)
            else "Every open challenge is passed: the next track unlocks from your results."
        )
        return Ranking([], spots, note)

    ranked: list[Suggestion] = []
    for challenge in open_ones:
        attempt = attempts.get(challenge.slug)
        score = -ORDER_WEIGHT * (challenge.track_position * 100 + challenge.position)
        parts: list[tuple[float, str, str]] = []  # (weight, reason, clause)
        prereqs = [titles.get(slug, slug) for slug in challenge.requires if slug in passed]
        if prereqs:
            parts.append(
                (NEXT_STEP_WEIGHT, "next_step", f"you passed {', '.join(prereqs)}, which opened it")
            )
        if attempt is not None and attempt.attempts:
            gap = shortfall(attempt.best_score, challenge.pass_threshold, challenge.lower_is_better)
            closeness = 1.0 - min(1.0, SHORTFALL_SCALE * gap)
            if attempt.best_score is None:
                clause = f"{attempt.attempts} attempt(s) so far without a graded score"
            else:
                clause = (
                    f"{'you are close: ' if closeness > 0.5 else ''}your best is "
                    f"{fmt(attempt.best_score)} vs {fmt(challenge.pass_threshold)} needed"
                )
            parts.append((RETRY_BASE + RETRY_WEIGHT * closeness, "retry", clause))
        # Weak spots shown elsewhere: a challenge's own near miss is the retry clause above.
        _, elsewhere = weak_spots([c for c in catalog if c.slug != challenge.slug], attempts)
        weak_elsewhere = {spot.skill: spot for spot in elsewhere}
        weak = [weak_elsewhere[s] for s in challenge.skills if s in weak_elsewhere]
        weak.sort(key=lambda s: (-s.weakness, s.skill.startswith("task:"), s.skill))
        if weak:
            top = weak[0]
            parts.append(
                (
                    WEAK_WEIGHT * top.weakness,
                    "weak_spot",
                    f"your {top.label} was weak ({top.evidence}) → it practises {top.label}",
                )
            )
        new = [s for s in challenge.skills if s not in practised]
        if new and practised:
            parts.append(
                (
                    NEW_SKILL_WEIGHT,
                    "new_skill",
                    "it introduces " + " and ".join(skill_label(s) for s in new[:2]),
                )
            )
        vote = (peers or {}).get(challenge.slug)
        if vote is not None and vote.score > 0 and peer_weight > 0:
            parts.append((peer_weight * vote.score, "similar_learners", challenge_reason(vote)))
        score += sum(weight for weight, _, _ in parts)
        if parts:
            reason = max(parts, key=lambda p: p[0])[1]
            text = "; ".join(clause for _, _, clause in parts)
        else:
            reason = "start"
            text = f"next in the {challenge.track_title} track"
        ranked.append(
            Suggestion(challenge, round(score, 4), reason, text[:1].upper() + text[1:], attempt)
        )
    ranked.sort(
        key=lambda s: (-s.score, s.challenge.track_position, s.challenge.position, s.challenge.slug)
    )
    return Ranking(ranked[: max(1, limit)], spots)
