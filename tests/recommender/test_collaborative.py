"""Collaborative filtering (issue 20 §5): similarity, votes, the blended rankings, cold start
and trust, pure and on a real database."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from ascent.types.v1 import run_pb2

from services.common.db import Database, utcnow
from services.common.ml.metafeatures import MetaFeatures
from services.common.ml.pipelines import canonical_spec, pipeline_key
from services.recommender import collaborative
from services.recommender.collaborative import (
    ChallengeRecord,
    History,
    Vote,
    Worked,
    challenge_votes,
    family_votes,
    neighbourhood,
    similarity,
)
from services.recommender.models import Observation
from services.recommender.next_challenge import rank_challenges
from services.recommender.repository import RecommenderRepository
from services.recommender.service import (
    RecommenderService,
    learner_histories,
    record_challenge_attempt,
)
from tests.recommender.test_next_challenge import CATALOG, attempts


def learner(name: str, *passes: str, tried: tuple[str, ...] = ()) -> History:
    """Passes in the given order, then attempts that fell far short."""
    records = [ChallengeRecord(slug, True, 1.0, float(i + 1)) for i, slug in enumerate(passes)]
    records += [ChallengeRecord(slug, False, 0.25) for slug in tried]
    return History(name, tuple(records))


# -- similarity ---------------------------------------------------------------------------
def test_similarity_is_cosine_shrunk_while_few_items_are_shared() -> None:
    a = learner("a", "x", "y", "z")
    assert similarity(a, learner("b", "x", "y", "z")) == pytest.approx(1.0)
    assert similarity(a, learner("c", "p", "q")) == 0.0
    # One shared item of three each: cosine 1/3, shrunk by 1/3 for sharing one item only.
    assert similarity(a, learner("d", "x", "p", "q")) == pytest.approx(1 / 9)
    # How well counts: a near miss is less alike a pass than another pass is.
    near = History("e", (ChallengeRecord("x", False, 0.75), *a.challenges[1:]))
    far = History("f", (ChallengeRecord("x", False, 0.25), *a.challenges[1:]))
    assert similarity(a, far) < similarity(a, near) < 1.0
    assert collaborative.attempt_quality(True, None, 0.9, False) == 1.0
    # 5 % short: closeness 1 - 3 × 0.05 = 0.85 → 0.25 + 0.5 × 0.85.
    assert collaborative.attempt_quality(False, 0.9 * 0.95, 0.9, False) == pytest.approx(0.675)
    assert collaborative.attempt_quality(False, 20.0, 12.0, True) == 0.25  # mae far above
    assert collaborative.attempt_quality(False, None, 0.9, False) == 0.25


def test_the_neighbourhood_excludes_the_learner_and_ranks_by_similarity() -> None:
    me = learner("me", "x", "y", "z")
    others = [me, learner("close", "x", "y", "z"), learner("half", "x", "y"), learner("far", "q")]
    hood = neighbourhood(me, others)
    assert [n.history.learner_id for n in hood.neighbours] == ["close", "half"]
    assert hood.neighbours[0].similarity > hood.neighbours[1].similarity
    assert neighbourhood(History("new"), others).neighbours == []  # cold start


# -- challenge votes and the blended ranking ------------------------------------------------
def test_similar_learners_vote_for_what_they_passed_next() -> None:
    me = learner("me", "a", "b", "c")
    peers = [
        learner("p1", "a", "b", "c", "next-one", "later"),
        learner("p2", "a", "b", "c", "next-one"),
        learner("p3", "a", "b", "c", "other"),
    ]
    votes = challenge_votes(me, neighbourhood(me, peers))
    assert set(votes) == {"next-one"}  # "later" and "other": one learner each, not shown
    assert votes["next-one"].learners == 2 and votes["next-one"].leading == 2
    # The share of the neighbourhood's similarity behind it (p1 is a little less alike).
    sims = [similarity(me, p) for p in peers]
    assert votes["next-one"].score == pytest.approx((sims[0] + sims[1]) / sum(sims), abs=1e-3)
    assert collaborative.challenge_reason(votes["next-one"]) == (
        "2 learners with a history like yours passed it next"
    )
    # Only open candidates count: the next *open* pass gets the full vote.
    limited = challenge_votes(me, neighbourhood(me, peers), ["later", "other"])
    assert limited == {}
    both = challenge_votes(me, neighbourhood(me, [*peers, learner("p4", "a", "b", "later")]))
    assert both["later"].learners == 2 and both["later"].leading == 1
    assert collaborative.challenge_reason(both["later"]).endswith("passed it")


def test_a_single_learner_never_shows_through() -> None:
    me = learner("me", "a", "b", "c")
    alone = [learner("p1", "a", "b", "c", "secret")]
    assert challenge_votes(me, neighbourhood(me, alone)) == {}


def test_votes_blend_into_the_next_challenge_ranking_with_their_reason() -> None:
    record = {"first-classifier": attempts("first-classifier", 0.95, passed=True)}
    plain = rank_challenges(CATALOG, record, limit=5)
    first = plain.suggestions[0].challenge.slug
    behind = plain.suggestions[-1].challenge.slug
    assert first != behind
    peers = {behind: Vote(1.0, 3, 3)}
    blended = rank_challenges(CATALOG, record, limit=5, peers=peers)
    top = blended.suggestions[0]
    assert top.challenge.slug == behind
    assert top.reason == "similar_learners"
    assert "3 learners with a history like yours passed it next" in top.rationale
    # A weak vote nudges, and says so, without overturning a clear first choice.
    weak = rank_challenges(CATALOG, record, limit=5, peers={behind: Vote(0.05, 2, 2)})
    assert weak.suggestions[0].challenge.slug == first
    moved = next(s for s in weak.suggestions if s.challenge.slug == behind)
    assert "2 learners with a history like yours" in moved.rationale


def test_cold_start_keeps_the_old_ranking_exactly() -> None:
    record = {"first-classifier": attempts("first-classifier", 0.95, passed=True)}
    plain = rank_challenges(CATALOG, record, limit=5)
    assert rank_challenges(CATALOG, record, limit=5, peers={}) == plain
    me = History("new")
    votes = challenge_votes(me, neighbourhood(me, [learner("p", "a"), learner("q", "a")]))
    assert votes == {}
    assert rank_challenges(CATALOG, record, limit=5, peers=votes) == plain


# -- pipeline families ----------------------------------------------------------------------
def worked(dataset: str, family: str, task: str = "classification") -> Worked:
    return Worked(dataset, task, f"{task}|r1", family, 0.9)


def test_families_that_worked_for_similar_learners_on_similar_data() -> None:
    base = learner("me", "a", "b", "c").challenges
    me = History("me", base)
    peers = [
        History("p1", base, (worked("d1", "SVC"), worked("far", "GaussianNB"))),
        History("p2", base, (worked("d2", "SVC"), worked("far2", "GaussianNB"))),
        History("p3", base, (worked("d3", "Ridge", "regression"),)),
    ]
    near = {"d1": 1.0, "d2": 0.8, "far": 0.01, "far2": 0.01}
    votes = family_votes(
        neighbourhood(me, peers), "classification", lambda w: near.get(w.dataset_key, 0.0)
    )
    assert set(votes) == {"SVC", "GaussianNB"}
    assert votes["SVC"].score > 50 * votes["GaussianNB"].score
    assert votes["SVC"].leading == 2 and votes["GaussianNB"].leading == 0
    assert "Ridge" not in votes  # another task type


# -- on the database: histories, trust, the pipeline ranking ------------------------------
def graded(learner_id: str, slug: str, passed: bool, at: datetime) -> run_pb2.Run:
    run = run_pb2.Run(id=str(uuid.uuid4()), owner_id=learner_id, challenge_slug=slug)
    run.grade.CopyFrom(
        run_pb2.Grade(
            challenge_slug=slug,
            metric="accuracy",
            status="graded",
            pass_threshold=0.9,
            passed=passed,
            public_score=0.95 if passed else 0.5,
        )
    )
    run.created_at.FromDatetime(at)
    return run


CLS = MetaFeatures(
    dataset_key="",
    rows=500,
    columns=8,
    task_type="classification",
    n_classes=2,
    missing_ratio=0.0,
    categorical_ratio=0.0,
    class_imbalance=0.8,
    target="y",
)
RF: dict[str, object] = {
    "steps": ["SimpleImputer"],
    "estimator": "RandomForestClassifier",
    "params": {},
}
SVC: dict[str, object] = {"steps": ["StandardScaler"], "estimator": "SVC", "params": {}}


def observe(
    session_db: Database,
    owner: str,
    dataset: str,
    spec: dict[str, object],
    score: float,
    trust: str,
) -> None:
    spec = canonical_spec(spec)
    with session_db.session() as session:
        RecommenderRepository(session).add_observation(
            Observation(
                run_id=str(uuid.uuid4()),
                owner_id=owner,
                trust=trust,
                dataset_key=dataset,
                task_type="classification",
                pipeline_key=pipeline_key(spec),
                pipeline_json=json.dumps(spec, sort_keys=True),
                estimator=str(spec["estimator"]),
                metric="accuracy",
                score=score,
                duration_ms=100,
                created_at=utcnow(),
            )
        )


def setup_learners(db: Database, service: RecommenderService, trust: str) -> dict[str, str]:
    """Two learners with the same challenge path as a third, whose best family on datasets
    like the query was SVC (outcomes scored with `trust`); RandomForest leads without them."""
    tag = uuid.uuid4().hex[:8]
    names = {k: f"{k}-{tag}" for k in ("ada", "bob", "cyd", "new")}
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    with db.session() as session:
        for who in ("ada", "bob", "cyd"):
            for i, slug in enumerate(("first-classifier", "data-detective", "wine-scaling")):
                record_challenge_attempt(
                    session, graded(names[who], slug, True, t0 + timedelta(days=i))
                )
        for i in range(5):
            meta = MetaFeatures(**{**CLS.__dict__, "dataset_key": f"{tag}-d{i}"})
            service.store_profile(session, meta)
    # Platform-scored evidence with no learner: RandomForest best on three datasets like the
    # query (by 0.05); SVC best by 0.02 on the two the other learners worked on.
    for i in (0, 3, 4):
        observe(db, "", f"{tag}-d{i}", RF, 0.90, "coach")
        observe(db, "", f"{tag}-d{i}", SVC, 0.85, "coach")
    for who, dataset in (("ada", f"{tag}-d1"), ("bob", f"{tag}-d2")):
        observe(db, names[who], dataset, SVC, 0.97, trust)
        observe(db, names[who], dataset, RF, 0.95, trust)
    return names


def ranked(service: RecommenderService, db: Database, learner_id: str = "") -> list[str]:
    query = MetaFeatures(**{**CLS.__dict__, "dataset_key": "query"})
    with db.session() as session:
        return [
            f"{r.spec['estimator']}: {r.rationale}"
            for r in service.recommend(session, query, 3, learner_id)
        ]


def test_pipelines_follow_what_worked_for_similar_learners(
    db: Database, service: RecommenderService
) -> None:
    names = setup_learners(db, service, "coach")
    with db.session() as session:
        histories = learner_histories(session)
    assert [c.slug for c in histories[names["ada"]].challenges] == [
        "data-detective",
        "first-classifier",
        "wine-scaling",
    ]
    assert histories[names["ada"]].pass_order() == [
        "first-classifier",
        "data-detective",
        "wine-scaling",
    ]
    assert [w.family for w in histories[names["ada"]].worked] == ["SVC"]
    plain = ranked(service, db)
    assert plain[0].startswith("RandomForestClassifier")
    mine = ranked(service, db, names["cyd"])
    assert mine[0].startswith("SVC")
    assert "2 learners with a history like yours got their best results with SVC" in mine[0]
    assert all(names["ada"] not in line and names["bob"] not in line for line in mine)
    # Cold start: a learner with no history gets exactly the ranking without a learner.
    assert ranked(service, db, names["new"]) == plain


def test_untrusted_outcomes_do_not_shape_another_learners_pipelines(
    db: Database, service: RecommenderService
) -> None:
    names = setup_learners(db, service, "")  # scores the learners' own code printed
    with db.session() as session:
        histories = learner_histories(session)
    assert histories[names["ada"]].worked == ()
    assert ranked(service, db, names["cyd"]) == ranked(service, db)
