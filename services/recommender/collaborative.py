"""Collaborative filtering: learners with a history like yours inform what comes next.

Pure logic (no transport, no database; issue 20 §5). A learner's history is what the
recommender already learnt about them from outcomes the platform computed itself:
- per challenge, how well they did (`recommender_learner_challenges`: grades on hidden
  labels): 1 for a pass, 0.25..0.75 for an attempt that fell short (by how close it came),
  and the order of their passes;
- per dataset they worked on (trusted `recommender_observations` by `owner_id` only: trust.py),
  the dataset's meta-feature neighbourhood and the pipeline family (estimator) that scored
  best for them there.

User-user kNN: a learner is a sparse vector over those items and two learners' similarity is
the cosine of their vectors, shrunk while they share few items (significance weighting,
Herlocker et al. 1999: one shared challenge is weak evidence however equal the scores). The
`NEIGHBOURS` most similar learners then vote, weighted by similarity:
- challenges: for the challenge each neighbour passed *next* after the last one they passed
  that this learner also passed (full vote), and for their other passes this learner has not
  made (a smaller one);
- pipeline families: for the family that worked best for them on a dataset like the queried
  one (weighted by that dataset's meta-feature similarity).

Privacy: only aggregates leave this module. An item counts only when at least `MIN_LEARNERS`
different learners back it, so no single learner's choice is ever visible in another's
ranking, and a rationale says how many learners, never who.

Cold start: a learner with no history (or no neighbour sharing anything with them) gets no
votes, and the callers then rank exactly as without collaborative filtering.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

# Neighbourhood size: enough learners to average out one learner's whims.
NEIGHBOURS = 20
# Significance weighting: similarity counts fully from this many shared items on.
SHARED_FULL = 3
# Neighbours below this similarity say too little to vote.
MIN_SIMILARITY = 0.05
# An item needs this many different learners behind it (privacy and robustness).
MIN_LEARNERS = 2
# A neighbour's vote for the challenge they passed next, and for their other passes.
NEXT_VOTE = 1.0
OTHER_VOTE = 0.3
# A family's vote counts as full when it worked on a dataset at least this similar.
FAMILY_FULL = 0.5
# Item weights inside a learner's vector: challenges say most about the learner; the kinds of
# data and what worked on them say what they are building.
CHALLENGE_WEIGHT = 1.0
DATASET_WEIGHT = 0.5
FAMILY_WEIGHT = 0.7
# Quality of an attempt that did not pass: MIN_TRY + TRY_RANGE × closeness to the threshold.
MIN_TRY = 0.25
TRY_RANGE = 0.5


@dataclass(frozen=True)
class ChallengeRecord:
    slug: str
    passed: bool
    # 1.0 for a pass; MIN_TRY..MIN_TRY + TRY_RANGE for an attempt that fell short.
    quality: float
    # Orders the learner's passes (a timestamp, as seconds); 0 when unknown.
    passed_order: float = 0.0


@dataclass(frozen=True)
class Worked:
    """One dataset a learner worked on (trusted outcomes only) and what scored best there."""

    dataset_key: str
    task_type: str
    neighbourhood: str
    family: str
    score: float


@dataclass(frozen=True)
class History:
    learner_id: str
    challenges: tuple[ChallengeRecord, ...] = ()
    worked: tuple[Worked, ...] = ()

    @property
    def passed(self) -> set[str]:
        return {c.slug for c in self.challenges if c.passed}

    def pass_order(self) -> list[str]:
        passes = [c for c in self.challenges if c.passed]
        passes.sort(key=lambda c: (c.passed_order, c.slug))
        return [c.slug for c in passes]

    def vector(self) -> dict[str, float]:
        items: dict[str, float] = {}
        for c in self.challenges:
            items[f"c:{c.slug}"] = CHALLENGE_WEIGHT * c.quality
        for w in self.worked:
            items[f"d:{w.neighbourhood}"] = DATASET_WEIGHT
            items[f"f:{w.task_type}:{w.family}"] = FAMILY_WEIGHT
        return items


@dataclass(frozen=True)
class Vote:
    """What similar learners say about one item: a weighted share in [0, 1] of the
    neighbourhood's similarity behind it, and how many learners that is."""

    score: float
    learners: int
    # Of those, the learners whose vote was a full one (challenges: passed it *next*).
    leading: int = 0


@dataclass(frozen=True)
class Neighbour:
    similarity: float
    history: History


@dataclass
class Neighbourhood:
    neighbours: list[Neighbour] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(n.similarity for n in self.neighbours)


def attempt_quality(
    passed: bool, best: float | None, threshold: float, lower_is_better: bool
) -> float:
    """How well a learner did on a challenge: 1 for a pass, else MIN_TRY..0.75 by closeness
    (the relative shortfall, ×3 as next_challenge counts a near miss; no graded score = far)."""
    if passed:
        return 1.0
    if best is None:
        return MIN_TRY
    gap = best - threshold if lower_is_better else threshold - best
    shortfall = min(1.0, max(0.0, gap / max(abs(threshold), 1e-9)))
    return MIN_TRY + TRY_RANGE * (1.0 - min(1.0, 3.0 * shortfall))


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> tuple[float, int]:
    """Cosine of two sparse vectors and how many items they share."""
    shared = a.keys() & b.keys()
    if not shared:
        return 0.0, 0
    dot = sum(a[k] * b[k] for k in shared)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return (dot / norm if norm else 0.0), len(shared)


def similarity(a: History, b: History) -> float:
    """Cosine similarity of two learners' histories, shrunk while they share few items."""
    value, shared = cosine(a.vector(), b.vector())
    return value * min(1.0, shared / SHARED_FULL)


def neighbourhood(target: History, others: Iterable[History], k: int = NEIGHBOURS) -> Neighbourhood:
    """The k learners most like the target (never the target itself); empty on cold start."""
    mine = target.vector()
    if not mine:
        return Neighbourhood()
    found: list[Neighbour] = []
    for other in others:
        if other.learner_id == target.learner_id:
            continue
        value, shared = cosine(mine, other.vector())
        value *= min(1.0, shared / SHARED_FULL)
        if value >= MIN_SIMILARITY:
            found.append(Neighbour(value, other))
    found.sort(key=lambda n: (-n.similarity, n.history.learner_id))
    return Neighbourhood(found[:k])


def _aggregate(
    per_learner: list[tuple[float, dict[str, float]]], total: float, full: float = NEXT_VOTE
) -> dict[str, Vote]:
    sums: dict[str, float] = {}
    backers: dict[str, int] = {}
    leading: dict[str, int] = {}
    for weight, votes in per_learner:
        for item, value in votes.items():
            if value <= 0:
                continue
            sums[item] = sums.get(item, 0.0) + weight * value
            backers[item] = backers.get(item, 0) + 1
            leading[item] = leading.get(item, 0) + (value >= full)
    return {
        item: Vote(round(sums[item] / total, 4), backers[item], leading[item])
        for item in sums
        if backers[item] >= MIN_LEARNERS and total > 0
    }


def challenge_votes(
    target: History, hood: Neighbourhood, candidates: Iterable[str] | None = None
) -> dict[str, Vote]:
    """Per challenge the target has not passed: how strongly similar learners passed it next.

    A neighbour's full vote goes to the first challenge they passed after the last of their
    passes the target also made (from the start when they share none); a smaller one to
    their other passes the target has not made."""
    mine = target.passed
    allowed = set(candidates) if candidates is not None else None
    per_learner: list[tuple[float, dict[str, float]]] = []
    for n in hood.neighbours:
        order = n.history.pass_order()
        shared_at = max((i for i, slug in enumerate(order) if slug in mine), default=-1)
        votes: dict[str, float] = {}
        next_given = False
        for i, slug in enumerate(order):
            if slug in mine or (allowed is not None and slug not in allowed):
                continue
            if i > shared_at and not next_given:
                votes[slug] = NEXT_VOTE
                next_given = True
            else:
                votes[slug] = OTHER_VOTE
        per_learner.append((n.similarity, votes))
    return _aggregate(per_learner, hood.total)


def family_votes(
    hood: Neighbourhood, task_type: str, dataset_similarity: Callable[[Worked], float]
) -> dict[str, Vote]:
    """Per pipeline family (estimator): how strongly it worked for similar learners on
    datasets like the queried one (`dataset_similarity` in [0, 1], 1 = the same kind)."""
    per_learner: list[tuple[float, dict[str, float]]] = []
    for n in hood.neighbours:
        votes: dict[str, float] = {}
        for w in n.history.worked:
            if w.task_type != task_type:
                continue
            value = dataset_similarity(w)
            if value > votes.get(w.family, 0.0):
                votes[w.family] = value
        per_learner.append((n.similarity, votes))
    return _aggregate(per_learner, hood.total, full=FAMILY_FULL)


def challenge_reason(vote: Vote) -> str:
    if vote.leading >= MIN_LEARNERS:
        return f"{vote.leading} learners with a history like yours passed it next"
    return f"{vote.learners} learners with a history like yours passed it"


def family_reason(vote: Vote, family: str) -> str:
    return (
        f"{vote.learners} learners with a history like yours got their best results with "
        f"{family} on datasets like this one"
    )
