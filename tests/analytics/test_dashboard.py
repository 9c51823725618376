"""Dashboard aggregates on a real database: exact numbers for a known week, the same numbers
whatever order and batching the events arrive in, duplicates ignored, late events bucketed
by their occurred_at."""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ascent.analytics.v1 import analytics_service_pb2 as pb
from ascent.events.v1 import apps_pb2, coach_pb2, gateway_pb2, learning_pb2, recommender_pb2
from ascent.types.v1 import run_pb2
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from services.analytics import service
from services.analytics.ingest import decode, ingest
from services.common import events
from services.common.db import Database
from services.common.errors import AscentError
from services.common.events import RawEvent
from services.common.templates import STARTER_TEMPLATE
from tests.analytics.scenario import CHALLENGE, build, raw_event, stamp


def feed(db: Database, raw: list[RawEvent], batch: int = 500) -> int:
    new = 0
    for start in range(0, len(raw), batch):
        items = [decode(r) for r in raw[start : start + batch]]
        assert all(items)
        with db.session() as session:
            new += ingest(session, [i for i in items if i is not None])
    return new


def dashboard(db: Database, cohort: str, **filters: str) -> pb.GetDashboardResponse:
    with db.session() as session:
        return service.dashboard(session, pb.DashboardFilter(cohort_id=cohort, **filters))


def numbers(response: pb.GetDashboardResponse) -> dict[str, Any]:
    """The dashboard without what differs between scenarios sharing a database."""
    data = MessageToDict(response, preserving_proto_field_name=True)
    data.pop("filter", None)
    data.pop("events_logged", None)
    return data


def test_a_known_week_gives_exact_numbers(db: Database) -> None:
    scenario = build()
    assert feed(db, scenario.raw()) == len(scenario.events)
    result = dashboard(db, scenario.cohort_id)

    assert result.learners == 2
    assert [(a.day, a.active_learners, a.runs) for a in result.activity] == [
        ("2026-03-01", 2, 3),
        ("2026-03-02", 2, 6),
    ]
    (challenge,) = result.challenges
    assert (challenge.challenge_slug, challenge.runs, challenge.graded, challenge.passing) == (
        CHALLENGE,
        5,
        4,
        2,
    )
    assert challenge.pass_rate == 0.5
    assert (challenge.learners, challenge.learners_passed) == (2, 2)
    # a: 30 min from first graded attempt to pass, b: 60 min; both in 2 attempts.
    assert challenge.median_seconds_to_pass == 2700
    assert challenge.median_attempts_to_pass == 2
    assert [(f.challenge_slug, f.learners_attempted, f.learners_passed) for f in result.funnel] == [
        (CHALLENGE, 2, 2)
    ]
    assert [(e.error_type, e.count) for e in result.errors] == [("ValueError", 1)]

    coach = result.coach
    assert (coach.proposals, coach.with_verdict, coach.accepted) == (2, 2, 1)
    assert coach.acceptance_rate == 0.5
    # The rating of 3 is older than the 5 although it arrived later: 5 counts.
    assert (coach.rated, coach.average_rating, list(coach.rating_counts)) == (
        1,
        5.0,
        [0, 0, 0, 0, 1],
    )
    assert (coach.advice_helpful, coach.advice_unhelpful) == (1, 0)
    assert (coach.improved_runs, coach.scored_pairs, coach.hits) == (2, 2, 1)
    assert coach.average_score_gain == pytest.approx((0.1 - 0.05) / 2)
    assert coach.hit_rate == 0.5


def test_date_range_filters_by_occurred_at(db: Database) -> None:
    scenario = build()
    feed(db, scenario.raw())
    day2 = dashboard(db, scenario.cohort_id, from_day="2026-03-02", to_day="2026-03-02")
    assert [(a.day, a.active_learners, a.runs) for a in day2.activity] == [("2026-03-02", 2, 6)]
    (challenge,) = day2.challenges
    assert (challenge.runs, challenge.graded, challenge.passing, challenge.learners) == (2, 2, 1, 1)
    # Only b's first pass falls on day 2.
    assert (challenge.learners_passed, challenge.median_seconds_to_pass) == (1, 3600)
    assert [(f.learners_attempted, f.learners_passed) for f in day2.funnel] == [(1, 1)]
    assert day2.errors == []

    day1 = dashboard(db, scenario.cohort_id, to_day="2026-03-01", challenge_slug=CHALLENGE)
    assert [(a.day, a.runs) for a in day1.activity] == [("2026-03-01", 3)]
    (challenge,) = day1.challenges
    assert (challenge.learners_passed, challenge.median_attempts_to_pass) == (1, 2)
    # b tried (crashed, ungraded) but had no graded attempt by day 1's end.
    assert [(f.learners_attempted, f.learners_passed) for f in day1.funnel] == [(1, 1)]

    with pytest.raises(AscentError, match="ends before it starts"):
        dashboard(db, scenario.cohort_id, from_day="2026-03-02", to_day="2026-03-01")
    with pytest.raises(AscentError, match="date like"):
        dashboard(db, scenario.cohort_id, from_day="yesterday")


def test_order_batching_and_duplicates_do_not_change_aggregates(db: Database) -> None:
    tag = uuid.uuid4().hex[:8]
    ordered, shuffled = build(f"o{tag}"), build(f"s{tag}")
    feed(db, ordered.raw())
    raw = shuffled.raw()
    random.Random(7).shuffle(raw)
    # Shuffled, in batches of 3, then every event again (a replay), then some twice in one batch.
    assert feed(db, raw, batch=3) == len(raw)
    assert feed(db, raw) == 0
    assert feed(db, raw[:4] + raw[:4]) == 0
    assert numbers(dashboard(db, ordered.cohort_id)) == numbers(dashboard(db, shuffled.cohort_id))


def test_the_same_run_under_another_event_id_counts_once(db: Database) -> None:
    scenario = build()
    feed(db, scenario.raw())
    before = numbers(dashboard(db, scenario.cohort_id))
    # A producer re-sent a run with a fresh event id (past the JetStream duplicate window).
    subject, message = scenario.events[3]  # a's first graded run
    resent = type(message)()
    resent.CopyFrom(message)
    events.meta_of(resent).event_id = str(uuid.uuid4())
    assert feed(db, [_raw(subject, resent)]) == 1  # logged as an event...
    assert numbers(dashboard(db, scenario.cohort_id)) == before  # ...but not a second run


def test_cohorts_filter_members_and_unknown_subjects_are_logged(db: Database) -> None:
    scenario = build()
    feed(db, scenario.raw())
    everyone = dashboard(db, "")
    # Without a cohort the outsider z counts too (admins' view).
    z_days = {a.day for a in everyone.activity}
    assert "2026-03-01" in z_days
    (challenge,) = dashboard(db, "", challenge_slug=CHALLENGE).challenges
    assert challenge.learners >= 3

    # A subject this code has never heard of (e.g. a new authoring.* event) is still logged.
    unknown = _unknown_event()
    assert feed(db, [unknown]) == 1
    with db.session() as session:
        counts = {c.subject: c.count for c in service.event_counts(session).counts}
    assert counts[unknown.subject] == 1


def _raw(subject: str, message: Message) -> RawEvent:
    return raw_event(subject, message)


def _unknown_event() -> RawEvent:
    # Field 1 is EventMeta; the rest means nothing to this consumer.
    message = gateway_pb2.SessionCreated(session_id="x")
    message.meta.CopyFrom(events.new_meta("authoring"))
    subject = f"authoring.test{uuid.uuid4().hex[:6]}.published.v1"
    return RawEvent(subject, message.SerializeToString(), events.headers_for(message.meta))


def test_app_uses_are_counted_per_app(db: Database) -> None:
    def meta() -> Any:
        return events.new_meta("apps")

    learner, other = f"l-{uuid.uuid4().hex}", f"l-{uuid.uuid4().hex}"
    raw = []
    for owner in (learner, learner, other):
        analysis = str(uuid.uuid4())
        started = apps_pb2.AnalysisStarted(meta=meta(), analysis_id=analysis, app_slug="explorer")
        started.owner_id = owner
        raw.append(raw_event(events.APPS_ANALYSIS_STARTED, started))
        status = "cancelled" if owner == other else "completed"
        done = apps_pb2.AnalysisCompleted(
            meta=meta(), analysis_id=analysis, app_slug="explorer", owner_id=owner, status=status
        )
        raw.append(raw_event(events.APPS_ANALYSIS_COMPLETED, done))
    applied = apps_pb2.SuggestionApplied(
        meta=meta(), app_slug="explorer", owner_id=learner, verdict="applied"
    )
    dismissed = apps_pb2.SuggestionApplied(
        meta=meta(), app_slug="explorer", owner_id=learner, verdict="dismissed"
    )
    raw += [
        raw_event(events.APPS_SUGGESTION_APPLIED, applied),
        raw_event(events.APPS_SUGGESTION_APPLIED, dismissed),
    ]
    assert feed(db, raw) == len(raw)
    assert feed(db, raw) == 0, "a redelivery counts nothing"
    (usage,) = dashboard(db, "").apps
    assert (usage.app_slug, usage.started, usage.completed, usage.cancelled) == (
        "explorer",
        3,
        2,
        1,
    )
    assert (usage.applied, usage.dismissed, usage.learners) == (1, 1, 2)


def test_the_platforms_own_learning_from_events(db: Database) -> None:
    """Issue 20 §4: recommendation accuracy, exploration, acceptance, time to a good model,
    improvement over the learner's baseline and over the static default — exact numbers for
    a known history (definitions: services/analytics/service.py)."""
    tag = uuid.uuid4().hex[:8]
    a, b, z, cohort = f"a-{tag}", f"b-{tag}", f"z-{tag}", f"c-{tag}"
    data = hashlib.sha256(tag.encode()).hexdigest()
    start = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    minute = timedelta(minutes=1)
    raw: list[RawEvent] = []

    def add(subject: str, message: Message, at: datetime, producer: str) -> None:
        raw.append(raw_event(subject, stamp(message, at, producer)))

    def run(run_id: str, learner: str, accuracy: float, at: datetime, **fields: Any) -> None:
        done = run_pb2.Run(id=run_id, owner_id=learner, status="ok", dataset_sha256=data, **fields)
        done.outcome.accuracy = accuracy
        add(events.RUN_COMPLETED, learning_pb2.RunCompleted(run=done), at, "execution")

    add(events.COHORT_CREATED, gateway_pb2.CohortCreated(cohort_id=cohort), start, "gateway")
    for learner in (a, b):
        joined = gateway_pb2.CohortJoined(cohort_id=cohort, learner_id=learner)
        add(events.COHORT_JOINED, joined, start, "gateway")
    # z (outside the cohort) sets the best known score on the dataset: 0.95.
    run(f"z0-{tag}", z, 0.95, start)
    # a: the starter (0.6), the coach's proposal (predicted 0.80), its run (0.84), then 0.93.
    run(f"a0-{tag}", a, 0.6, start, code=STARTER_TEMPLATE)
    proposed = coach_pb2.ImprovementProposed(
        proposal_id=f"pa-{tag}",
        run_id=f"a0-{tag}",
        owner_id=a,
        predicted_score=0.80,
        source="knowledge_base",
    )
    add(events.IMPROVEMENT_PROPOSED, proposed, start + minute, "coach")
    run(f"a1-{tag}", a, 0.84, start + 2 * minute, is_improved=True, parent_run_id=f"a0-{tag}")
    run(f"a2-{tag}", a, 0.93, start + 10 * minute)
    rated = coach_pb2.ProposalRated(proposal_id=f"pa-{tag}", owner_id=a, verdict="accepted")
    add(events.PROPOSAL_RATED, rated, start + 3 * minute, "coach")
    # b: 0.70 then 0.72 (never within 5 % of 0.95); a proposal from the priors, explored.
    run(f"b0-{tag}", b, 0.70, start, code="print('my own')")
    explored = coach_pb2.ImprovementProposed(
        proposal_id=f"pb-{tag}", run_id=f"b0-{tag}", owner_id=b, source="priors", explored=True
    )
    add(events.IMPROVEMENT_PROPOSED, explored, start + minute, "coach")
    run(f"b1-{tag}", b, 0.72, start + 5 * minute)
    for verdict in ("applied", "dismissed"):
        used = apps_pb2.SuggestionApplied(app_slug="explorer", owner_id=b, verdict=verdict)
        add(events.APPS_SUGGESTION_APPLIED, used, start + 6 * minute, "apps")
    # The knowledge base learnt two outcomes that day (platform-wide).
    for number in range(2):
        learnt = recommender_pb2.ObservationRecorded(run_id=f"o{number}-{tag}", trust="coach")
        add(events.RECOMMENDER_OBSERVATION_RECORDED, learnt, start + minute, "recommender")
    assert feed(db, raw) == len(raw)

    learning = dashboard(db, cohort).self_improvement
    assert learning.knowledge_observations >= 2
    assert [(d.day, d.count) for d in learning.knowledge_growth] == [("2026-04-01", 2)]
    assert learning.proposals == 2
    assert learning.exploration_rate == pytest.approx(0.5)
    assert dict(learning.proposals_by_source) == {"knowledge_base": 1, "priors": 1}
    assert learning.predictions_scored == 1
    assert learning.prediction_mae == pytest.approx(0.04)
    assert learning.predictions_within_005 == pytest.approx(1.0)
    assert learning.proposal_acceptance_rate == pytest.approx(1.0)
    assert learning.app_suggestion_acceptance_rate == pytest.approx(0.5)
    assert (learning.learner_datasets, learning.reached_good_model) == (2, 1)
    assert learning.median_seconds_to_good == pytest.approx(600)
    assert learning.median_runs_to_good == pytest.approx(3)
    assert learning.baseline_pairs == 2
    assert learning.mean_improvement_over_baseline == pytest.approx(
        ((0.93 - 0.6) / 0.6 + (0.72 - 0.70) / 0.70) / 2
    )
    assert learning.static_default_pairs == 1
    assert learning.mean_gain_over_static_default == pytest.approx((0.84 - 0.6) / 0.6)
    # A date range without those days has nothing to say.
    empty = dashboard(db, cohort, from_day="2026-05-01").self_improvement
    assert (empty.proposals, empty.learner_datasets, empty.static_default_pairs) == (0, 0, 0)
    assert not empty.HasField("mean_improvement_over_baseline")
