"""Collaborative filtering for the next challenge (issue 20 §5): measured hit rate.

There are no real learner histories to replay yet, so the histories come from a GENERATIVE
MODEL of learners over the REAL curriculum (its 14 challenges, their metrics, tags,
`requires` and the tracks' unlock rules, checked with progress's own `rules.is_unlocked`):

- each learner has one of four latent archetypes (classification, regression, packaged
  models / deployment, metrics beyond accuracy) that sets their *interest* in each skill
  (task type, metric, tag), plus individual noise, and an *ability* per skill (a general
  level, a bonus on the archetype's skills, noise);
- at each step they pick an open challenge (unlocked, not passed) with probability
  softmax(2.0 × interest + 1.2 × "I nearly passed it" − 0.15 × catalog index): interest,
  unfinished near misses and catalog order all drive the choice;
- they pass with probability sigmoid(2 × (ability − difficulty) + 0.6 × earlier attempts);
  a failed attempt's score falls short of the threshold by 3–40 % (less when abler);
- 4 to 22 submissions each.

Leave-last-out: for every learner with ≥ 2 passes the target is their LAST pass; their
history is everything before that passing submission; the other learners' full histories
are the population CF draws on. Every ranker sees the same histories in the same run and
ranks the challenges open to that learner at that point:

- **skills only**: today's `next_challenge.rank_challenges` (no peers);
- **CF only**: `collaborative.challenge_votes` (catalog order breaks ties and fills the list);
- **blend**: `rank_challenges` with the votes (`PEER_WEIGHT`);
- **popular next**: the challenge passed next most often by *all* learners after the target's
  last pass (not personalised: does CF beat plain popularity?);
- **catalog order**: the first open challenges.

Hit rate@k = share of learners whose held-out challenge is in the ranker's top k.
The blend's weight is chosen on a development population (`--dev-seed`) and reported on a
separate test population (`--seed`), so the figure is not tuned on itself.

Caveat, said in bench/README.md too: the model has learner clusters by construction (the
archetypes), which is exactly the structure collaborative filtering exploits; the figures show
the method works when learners do cluster, not that real learners do.

    make bench-cf        # or: .venv/bin/python bench/bench_cf.py --learners 600
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.common.curriculum import load_catalog  # noqa: E402
from services.common.ml.scoring import lower_is_better  # noqa: E402
from services.execution.config import default_curriculum_dir  # noqa: E402
from services.progress import rules  # noqa: E402
from services.recommender import collaborative  # noqa: E402
from services.recommender.next_challenge import (  # noqa: E402
    PEER_WEIGHT,
    Attempts,
    CatalogChallenge,
    rank_challenges,
)

KS = (1, 2, 3)
# The curriculum keeps few challenges open at once (Intermediate opens after all five Beginner
# ones): the figures are also given for the learners with at least this many open.
WIDE = 4
ARCHETYPES: dict[str, tuple[str, ...]] = {
    "classifier": ("task:classification", "metric:accuracy"),
    "regression": ("task:regression", "metric:r2", "metric:mae"),
    "deployer": ("tag:packaged-model", "metric:f1_score"),
    "metrics": ("metric:f1_score", "metric:roc_auc", "metric:mae"),
}


@dataclass(frozen=True)
class Event:
    slug: str
    score: float
    passed: bool
    at: int


@dataclass
class Learner:
    learner_id: str
    archetype: str
    events: list[Event] = field(default_factory=list)


class Curriculum:
    def __init__(self) -> None:
        catalog = load_catalog(default_curriculum_dir())
        self.tracks = catalog.tracks
        self.challenges = [c for t in self.tracks for c in t.challenges]
        self.index = {c.slug: i for i, c in enumerate(self.challenges)}
        self.info = [
            rules.ChallengeInfo(
                c.slug, c.track_slug, c.metric, c.pass_threshold, tuple(c.tags), tuple(c.requires)
            )
            for c in self.challenges
        ]
        base = {
            c.slug: CatalogChallenge(
                slug=c.slug,
                title=c.title,
                track_slug=t.slug,
                track_title=t.title,
                track_position=t.position,
                position=c.position,
                metric=c.metric,
                pass_threshold=c.pass_threshold,
                lower_is_better=lower_is_better(c.metric),
                task_type=c.task_type,
                tags=tuple(c.tags),
                requires=tuple(c.requires),
            )
            for t in self.tracks
            for c in t.challenges
        }
        self.base = base
        self.skills = sorted({s for c in base.values() for s in c.skills})

    def open_slugs(self, best: dict[str, float], passed: set[str]) -> list[str]:
        facts = rules.LearnerFacts(best=best, passed=frozenset(passed))
        out = []
        for track in self.tracks:
            track_open = rules.is_unlocked(track.unlock, None, self.info, facts)
            for c in track.challenges:
                if c.slug not in passed and rules.challenge_open(
                    self.info[self.index[c.slug]], track_open, frozenset(passed)
                ):
                    out.append(c.slug)
        return out

    def catalog_for(self, best: dict[str, float], passed: set[str]) -> list[CatalogChallenge]:
        open_ = set(self.open_slugs(best, passed))
        return [
            CatalogChallenge(
                **{
                    **c.__dict__,
                    "unlocked": c.slug in open_ or c.slug in passed,
                    "passed": c.slug in passed,
                    "best_score": best.get(c.slug),
                }
            )
            for c in self.base.values()
        ]


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def simulate(cur: Curriculum, n: int, seed: int) -> list[Learner]:
    rng = random.Random(seed)
    difficulty = {
        c.slug: -0.6 + 0.45 * (t.position - 1) + 0.1 * c.position + rng.gauss(0, 0.2)
        for t in cur.tracks
        for c in t.challenges
    }
    learners = []
    for i in range(n):
        archetype = rng.choice(list(ARCHETYPES))
        favoured = ARCHETYPES[archetype]
        interest = {s: (1.0 if s in favoured else 0.0) + rng.gauss(0, 0.35) for s in cur.skills}
        level = rng.gauss(0, 0.6)
        ability = {
            s: level + (0.5 if s in favoured else 0.0) + rng.gauss(0, 0.3) for s in cur.skills
        }
        learner = Learner(f"learner-{seed}-{i}", archetype)
        best: dict[str, float] = {}
        passed: set[str] = set()
        tries: Counter[str] = Counter()
        for step in range(rng.randint(4, 22)):
            open_ = cur.open_slugs(best, passed)
            if not open_:
                break
            weights = []
            for slug in open_:
                skills = cur.base[slug].skills
                like = sum(interest[s] for s in skills) / len(skills)
                near = 1.2 if tries[slug] else 0.0
                weights.append(math.exp(2.0 * like + near - 0.15 * cur.index[slug]))
            slug = rng.choices(open_, weights)[0]
            c = cur.base[slug]
            skill = sum(ability[s] for s in c.skills) / len(c.skills)
            gap = skill - difficulty[slug]
            ok = rng.random() < sigmoid(2.0 * gap + 0.6 * tries[slug])
            tries[slug] += 1
            shortfall = 0.0 if ok else 0.03 + 0.37 * sigmoid(-2.0 * gap) * rng.random()
            t = c.pass_threshold
            if c.lower_is_better:
                score = t * (0.9 if ok else 1.0 + shortfall)
                better = slug not in best or score < best[slug]
            else:
                score = min(1.0, t * 1.02) if ok else t * (1.0 - shortfall)
                better = slug not in best or score > best[slug]
            if better:
                best[slug] = score
            if ok:
                passed.add(slug)
            learner.events.append(Event(slug, score, ok, step))
        learners.append(learner)
    return learners


def state(
    cur: Curriculum, events: list[Event]
) -> tuple[dict[str, float], set[str], dict[str, list[Event]]]:
    best: dict[str, float] = {}
    passed: set[str] = set()
    attempts: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        attempts[e.slug].append(e)
        low = cur.base[e.slug].lower_is_better
        if e.slug not in best or (e.score < best[e.slug] if low else e.score > best[e.slug]):
            best[e.slug] = e.score
        if e.passed:
            passed.add(e.slug)
    return best, passed, attempts


def history(cur: Curriculum, learner_id: str, events: list[Event]) -> collaborative.History:
    best, passed, attempts = state(cur, events)
    records = []
    for slug, tried in attempts.items():
        c = cur.base[slug]
        first_pass = next((e.at for e in tried if e.passed), 0)
        quality = collaborative.attempt_quality(
            slug in passed, best.get(slug), c.pass_threshold, c.lower_is_better
        )
        records.append(collaborative.ChallengeRecord(slug, slug in passed, quality, first_pass))
    return collaborative.History(learner_id, tuple(records))


def learner_attempts(cur: Curriculum, events: list[Event]) -> dict[str, Attempts]:
    best, passed, attempts = state(cur, events)
    return {
        slug: Attempts(slug, len(t), sum(not e.passed for e in t), best.get(slug), slug in passed)
        for slug, t in attempts.items()
    }


@dataclass
class Case:
    target: str
    catalog: list[CatalogChallenge]
    attempts: dict[str, Attempts]
    open_slugs: list[str]
    votes: dict[str, collaborative.Vote]
    last_pass: str | None


def cases(cur: Curriculum, learners: list[Learner]) -> list[Case]:
    full = {lr.learner_id: history(cur, lr.learner_id, lr.events) for lr in learners}
    out = []
    for lr in learners:
        passes = [i for i, e in enumerate(lr.events) if e.passed]
        if len(passes) < 2:
            continue
        cut = passes[-1]
        before = lr.events[:cut]
        best, passed, _ = state(cur, before)
        open_ = cur.open_slugs(best, passed)
        target = lr.events[cut].slug
        if target not in open_:
            continue
        mine = history(cur, lr.learner_id, before)
        hood = collaborative.neighbourhood(mine, full.values())
        votes = collaborative.challenge_votes(mine, hood, open_)
        last = max((e for e in before if e.passed), key=lambda e: e.at, default=None)
        out.append(
            Case(
                target,
                cur.catalog_for(best, passed),
                learner_attempts(cur, before),
                open_,
                votes,
                last.slug if last else None,
            )
        )
    return out


def popular_next(cur: Curriculum, learners: list[Learner]) -> dict[str | None, Counter[str]]:
    """After each pass (None = at the start), which challenge all learners passed next."""
    follows: dict[str | None, Counter[str]] = defaultdict(Counter)
    for lr in learners:
        previous: str | None = None
        for e in lr.events:
            if e.passed:
                follows[previous][e.slug] += 1
                previous = e.slug
    return follows


def rankings(
    cur: Curriculum, case: Case, follows: dict[str | None, Counter[str]], weight: float
) -> dict[str, list[str]]:
    limit = max(KS)
    skills = [
        s.challenge.slug for s in rank_challenges(case.catalog, case.attempts, 20).suggestions
    ]
    blend = [
        s.challenge.slug
        for s in rank_challenges(case.catalog, case.attempts, 20, case.votes, weight).suggestions
    ]
    by_order = sorted(case.open_slugs, key=lambda s: cur.index[s])
    cf = sorted(case.open_slugs, key=lambda s: (-case.votes.get(s, _NONE).score, cur.index[s]))
    counts = follows.get(case.last_pass, Counter())
    popular = sorted(case.open_slugs, key=lambda s: (-counts[s], cur.index[s]))
    return {
        "skills only": skills[:limit],
        "CF only": cf[:limit],
        "blend": blend[:limit],
        "popular next": popular[:limit],
        "catalog order": by_order[:limit],
    }


_NONE = collaborative.Vote(0.0, 0)


Rates = dict[str, dict[int, float]]


def evaluate(
    cur: Curriculum, learners: list[Learner], weight: float, min_open: int = 1
) -> tuple[Rates, int, float, int]:
    all_cases = [c for c in cases(cur, learners) if len(c.open_slugs) >= min_open]
    follows = popular_next(cur, learners)
    hits: dict[str, Counter[int]] = defaultdict(Counter)
    for case in all_cases:
        for name, order in rankings(cur, case, follows, weight).items():
            for k in KS:
                hits[name][k] += case.target in order[:k]
    n = len(all_cases)
    open_mean = sum(len(c.open_slugs) for c in all_cases) / max(1, n)
    with_votes = sum(bool(c.votes) for c in all_cases)
    rates = {name: {k: h[k] / max(1, n) for k in KS} for name, h in hits.items()}
    return rates, n, open_mean, with_votes


def table(rates: Rates) -> None:
    print("| ranker | " + " | ".join(f"hit@{k}" for k in KS) + " |")
    print("|---|" + "---|" * len(KS))
    for name in rates:
        print(f"| {name} | " + " | ".join(f"{rates[name][k]:.3f}" for k in KS) + " |")


def purity(cur: Curriculum, learners: list[Learner]) -> float:
    """Share of a learner's CF neighbours with the same latent archetype (0.25 = chance)."""
    arch = {lr.learner_id: lr.archetype for lr in learners}
    full = {lr.learner_id: history(cur, lr.learner_id, lr.events) for lr in learners}
    shares = []
    for lr in learners:
        hood = collaborative.neighbourhood(full[lr.learner_id], full.values())
        if hood.neighbours:
            same = sum(arch[n.history.learner_id] == lr.archetype for n in hood.neighbours)
            shares.append(same / len(hood.neighbours))
    return sum(shares) / max(1, len(shares))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=600)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--dev-seed", type=int, default=1)
    args = parser.parse_args()
    cur = Curriculum()

    print(f"development population (seed {args.dev_seed}), blend weight sweep:")
    dev = simulate(cur, args.learners, args.dev_seed)
    sweep = {}
    for weight in (0.25, 0.5, 1.0, 1.5, 2.0, 3.0):
        rates, _, _, _ = evaluate(cur, dev, weight)
        sweep[weight] = rates["blend"]
        print(
            f"  weight {weight}: blend " + ", ".join(f"hit@{k} {rates['blend'][k]:.3f}" for k in KS)
        )
    chosen = max(sweep, key=lambda w: (sweep[w][1], sweep[w][2], -w))
    print(f"chosen weight (best hit@1 on development): {chosen}\n")

    test = simulate(cur, args.learners, args.seed)
    print(f"CF neighbours sharing the learner's archetype: {purity(cur, test):.0%} (chance 25%)")
    for label, min_open in (("all held-out passes", 1), (f">= {WIDE} challenges open", WIDE)):
        rates, n, open_mean, voted = evaluate(cur, test, chosen, min_open)
        service, _, _, _ = evaluate(cur, test, PEER_WEIGHT, min_open)
        rates = {
            "skills only (today)": rates["skills only"],
            "CF only": rates["CF only"],
            f"blend, weight {chosen} (chosen on development)": rates["blend"],
            f"blend, the service's weight {PEER_WEIGHT}": service["blend"],
            "popular next": rates["popular next"],
            "catalog order": rates["catalog order"],
        }
        print(
            f"test population (seed {args.seed}, {args.learners} learners), {label}: {n} "
            f"learners, {open_mean:.1f} open challenges on average, {voted} with CF votes"
        )
        table(rates)
        print()


if __name__ == "__main__":
    main()
