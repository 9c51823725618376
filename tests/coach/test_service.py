"""Choosing the experiment, and persisting a proposal with its event in one transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ascent.events.v1 import coach_pb2
from sqlalchemy import select

from services.coach.engine import BuiltinEngine, ImproveContext, experiment_name, infer_run_task
from services.coach.repository import CoachRepository
from services.coach.service import CoachService
from services.common import events
from services.common.db import Database
from services.common.errors import AscentError
from services.common.ml.metafeatures import MetaFeatures
from services.common.ml.pipelines import Recommendation, pipeline_key, prior_specs
from services.common.outbox import outbox
from tests.coach.helpers import crashed_run, scored_run
from tests.support.postgres import BACKENDS, service_database

PROFILE = MetaFeatures("k", 300, 5, "classification", 2, 0.1, 0.4, 0.9, "label")


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with service_database(request.param, tmp_path, "coach") as database:
        yield database


def observed(spec: dict[str, Any], score: float) -> Recommendation:
    return Recommendation(spec, pipeline_key(spec), score, 4, "best on 2 of 2 similar datasets")


def test_engine_prefers_a_recommended_pipeline_with_another_estimator() -> None:
    svc = {"steps": ["StandardScaler"], "estimator": "SVC", "params": {"C": 2.0}}
    logistic = {"steps": [], "estimator": "LogisticRegression", "params": {}}
    run = scored_run("SVC", 0.8)
    context = ImproveContext(
        run=run, profile=PROFILE, recommendations=[observed(svc, 0.95), observed(logistic, 0.9)]
    )
    improvement = BuiltinEngine().propose(context)
    assert improvement.name == "LogisticRegression + Scaling + Imputation + Encoding"
    assert "best on 2 of 2 similar datasets" in improvement.rationale
    assert "It replaces your SVC with LogisticRegression" in improvement.rationale
    assert "LogisticRegression(max_iter=" not in improvement.code
    assert "model = LogisticRegression()" in improvement.code


def test_engine_after_a_crash_takes_the_top_pipeline_even_with_the_same_model() -> None:
    logistic = {"steps": [], "estimator": "LogisticRegression", "params": {"C": 0.5}}
    run = crashed_run("ValueError", "could not convert string to float: 'x'")
    run.outcome.model_type = "LogisticRegression"
    context = ImproveContext(run=run, profile=PROFILE, recommendations=[observed(logistic, 0.9)])
    improvement = BuiltinEngine().propose(context)
    assert "LogisticRegression(C=0.5)" in improvement.code
    assert "fixes the crash" in improvement.rationale
    assert improvement.diagnosis.startswith("The run crashed with ValueError")


def test_engine_skips_pipelines_it_cannot_generate_and_falls_back_to_priors() -> None:
    xgb = {"steps": [], "estimator": "XGBClassifier", "params": {}}
    run = scored_run("LogisticRegression", 0.7)
    improvement = BuiltinEngine().propose(
        ImproveContext(run=run, recommendations=[observed(xgb, 0.99)])
    )
    assert improvement.pipeline_keys == [pipeline_key(prior_specs("classification")[0])]
    assert 2 <= len(improvement.suggestions) <= 3


def test_task_type_comes_from_profile_then_the_run() -> None:
    run = scored_run("Ridge", 0.0)
    run.outcome.ClearField("accuracy")
    run.outcome.r2 = 0.5
    assert infer_run_task(run, None) == "regression"
    run.outcome.dataset_info_json = json.dumps({"task_type": "classification"})
    assert infer_run_task(run, None) == "classification"
    assert infer_run_task(run, PROFILE) == "classification"
    regression = ImproveContext(run=run, profile=None)
    run.outcome.task_type = "regression"
    assert regression.task_type == "regression"
    assert "RandomForestRegressor" in BuiltinEngine().propose(regression).code


def test_experiment_names() -> None:
    spec = {"steps": ["SimpleImputer", "OneHotEncoder", "StandardScaler"], "estimator": "SVC"}
    assert experiment_name(spec, None, crashed=False) == "SVC + Scaling"
    forest = {"steps": [], "estimator": "RandomForestRegressor"}
    assert experiment_name(forest, PROFILE, crashed=False) == "RandomForest + Imputation + Encoding"


def test_store_persists_the_proposal_and_stages_the_event(db: Database) -> None:
    service = CoachService()
    run = scored_run("LogisticRegression", 0.8)
    run.id, run.owner_id = str(uuid.uuid4()), "owner-1"
    context = ImproveContext(run=run)
    improvement = service.propose(context)
    with db.session() as session:
        stored = service.store(session, context, improvement)
    with db.session() as session:
        proposal = CoachRepository(session).get_proposal(stored.id)
        assert proposal is not None
        assert (proposal.run_id, proposal.owner_id, proposal.engine) == (
            run.id,
            "owner-1",
            "builtin",
        )
        assert proposal.code == improvement.code
        assert json.loads(proposal.suggestions_json) == improvement.suggestions
        payloads = session.execute(
            select(outbox.c.payload).where(
                outbox.c.producer == "coach", outbox.c.subject == events.IMPROVEMENT_PROPOSED
            )
        ).scalars()
        staged = [coach_pb2.ImprovementProposed.FromString(bytes(p)) for p in payloads]
    mine = [event for event in staged if event.proposal_id == stored.id]
    assert len(mine) == 1
    assert mine[0].run_id == run.id
    assert mine[0].experiment_name == improvement.name
    assert list(mine[0].pipeline_keys) == improvement.pipeline_keys


def test_a_run_without_id_is_rejected() -> None:
    with pytest.raises(AscentError) as err:
        CoachService().propose(ImproveContext(run=scored_run("SVC", 0.5, id="")))
    assert err.value.code == "invalid_argument"


def test_rating_a_proposal_stages_the_event_for_its_owner_only(db: Database) -> None:
    from services.coach.service import rate

    service = CoachService()
    run = scored_run("LogisticRegression", 0.8)
    run.id, run.owner_id = str(uuid.uuid4()), "owner-2"
    context = ImproveContext(run=run)
    improvement = service.propose(context)
    with db.session() as session:
        stored = service.store(session, context, improvement)
    with db.session() as session:
        rate(session, stored.id, "owner-2", 4, "accepted")
    for owner, rating, verdict, code in [
        ("someone-else", 4, "", "not_found"),
        ("owner-2", 6, "", "invalid_argument"),
        ("owner-2", 0, "maybe", "invalid_argument"),
        ("owner-2", 0, "", "invalid_argument"),
    ]:
        with pytest.raises(AscentError) as err, db.session() as session:
            rate(session, stored.id, owner, rating, verdict)
        assert err.value.code == code
    with db.session() as session:
        payloads = session.execute(
            select(outbox.c.payload).where(outbox.c.subject == events.PROPOSAL_RATED)
        ).scalars()
        staged = [coach_pb2.ProposalRated.FromString(bytes(p)) for p in payloads]
    mine = [event for event in staged if event.proposal_id == stored.id]
    assert len(mine) == 1
    assert (mine[0].rating, mine[0].verdict, mine[0].owner_id) == (4, "accepted", "owner-2")
    assert list(mine[0].pipeline_keys) == improvement.pipeline_keys


def test_later_feedback_adds_to_the_earlier_one(db: Database) -> None:
    """A thumbs (rating) then an accept (verdict): the last event carries both, because the
    recommender only counts the latest event per proposal."""
    from services.coach.service import rate

    service = CoachService()
    run = scored_run("LogisticRegression", 0.8)
    run.id, run.owner_id = str(uuid.uuid4()), "owner-3"
    context = ImproveContext(run=run)
    with db.session() as session:
        stored = service.store(session, context, service.propose(context))
    for rating, verdict in [(1, ""), (0, "accepted"), (5, "")]:
        with db.session() as session:
            rate(session, stored.id, "owner-3", rating, verdict)
    with db.session() as session:
        payloads = session.execute(
            select(outbox.c.payload)
            .where(outbox.c.subject == events.PROPOSAL_RATED)
            .order_by(outbox.c.id)
        ).scalars()
        staged = [coach_pb2.ProposalRated.FromString(bytes(p)) for p in payloads]
        proposal = CoachRepository(session).get_proposal(stored.id)
        assert proposal is not None
        assert (proposal.rating, proposal.verdict) == (5, "accepted")
    mine = [(e.rating, e.verdict) for e in staged if e.proposal_id == stored.id]
    assert mine == [(1, ""), (1, "accepted"), (5, "accepted")]
