"""A small cohort's week as real event payloads, with the dashboard numbers it must produce.

Two learners (a, b) in one cohort and an outsider (z); graded submissions, an error, AI
improvements (one beats its parent, one does not), coach feedback (one rating arrives
after a newer one) and advice. Ids carry a tag so scenarios can share a database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ascent.events.v1 import coach_pb2, gateway_pb2, learning_pb2
from ascent.types.v1 import run_pb2
from google.protobuf.message import Message

from services.common import events
from services.common.events import RawEvent

DAY1 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
DAY2 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHALLENGE = "iris-first-model"


@dataclass
class Scenario:
    tag: str
    cohort_id: str
    learners: dict[str, str]
    events: list[tuple[str, Message]]

    def raw(self) -> list[RawEvent]:
        return [raw_event(subject, message) for subject, message in self.events]


def stamp(message: Message, at: datetime, producer: str) -> Message:
    meta = events.meta_of(message)
    meta.CopyFrom(events.new_meta(producer))
    meta.occurred_at.FromDatetime(at.replace(tzinfo=None))
    return message


def raw_event(subject: str, message: Message) -> RawEvent:
    meta = events.meta_of(message)
    return RawEvent(subject, message.SerializeToString(), events.headers_for(meta))


def graded(
    run_id: str, learner: str, passed: bool, score: float, slug: str = CHALLENGE
) -> learning_pb2.RunCompleted:
    run = run_pb2.Run(id=run_id, owner_id=learner, session_id=f"s-{learner}", status="ok")
    run.challenge_slug = slug
    run.grade.CopyFrom(
        run_pb2.Grade(
            challenge_slug=slug,
            metric="accuracy",
            status="graded",
            public_score=score,
            pass_threshold=0.9,
            passed=passed,
        )
    )
    return learning_pb2.RunCompleted(run=run)


def notebook_run(
    run_id: str, learner: str, accuracy: float, parent: str = ""
) -> learning_pb2.RunCompleted:
    run = run_pb2.Run(
        id=run_id,
        owner_id=learner,
        session_id=f"s-{learner}",
        status="ok",
        is_improved=bool(parent),
        parent_run_id=parent,
    )
    run.outcome.accuracy = accuracy
    return learning_pb2.RunCompleted(run=run)


def failed_run(run_id: str, learner: str, slug: str = CHALLENGE) -> learning_pb2.RunCompleted:
    run = run_pb2.Run(
        id=run_id, owner_id=learner, session_id=f"s-{learner}", status="error", has_error=True
    )
    run.challenge_slug = slug
    run.error.type = "ValueError"
    run.grade.status = "run_failed"
    return learning_pb2.RunCompleted(run=run)


def build(tag: str | None = None) -> Scenario:
    tag = tag or uuid.uuid4().hex[:8]
    a, b, z = f"a-{tag}", f"b-{tag}", f"z-{tag}"
    cohort = f"c-{tag}"
    minute = timedelta(minutes=1)
    out: list[tuple[str, Message]] = []

    def add(subject: str, message: Message, at: datetime, producer: str = "execution") -> None:
        out.append((subject, stamp(message, at, producer)))

    early = DAY1 - timedelta(hours=1)
    add(
        events.COHORT_CREATED,
        gateway_pb2.CohortCreated(cohort_id=cohort, name="Class", instructor_id=f"t-{tag}"),
        early,
        "gateway",
    )
    for learner in (a, b):
        add(
            events.COHORT_JOINED,
            gateway_pb2.CohortJoined(cohort_id=cohort, learner_id=learner),
            early + minute,
            "gateway",
        )
    # Day 1: a fails then passes 30 min later; b's code crashes; z (not a member) passes.
    add(events.RUN_COMPLETED, graded(f"a1-{tag}", a, False, 0.8), DAY1)
    add(events.RUN_COMPLETED, graded(f"a2-{tag}", a, True, 0.95), DAY1 + 30 * minute)
    add(events.RUN_COMPLETED, failed_run(f"b0-{tag}", b), DAY1 + 60 * minute)
    add(events.RUN_COMPLETED, graded(f"z1-{tag}", z, True, 0.99), DAY1)
    # Day 2: b fails then passes an hour later; AI improvements: a's beats its parent, b's not.
    add(events.RUN_COMPLETED, graded(f"b1-{tag}", b, False, 0.7), DAY2)
    add(events.RUN_COMPLETED, graded(f"b2-{tag}", b, True, 0.92), DAY2 + 60 * minute)
    add(events.RUN_COMPLETED, notebook_run(f"pa-{tag}", a, 0.8), DAY2)
    add(events.RUN_COMPLETED, notebook_run(f"ia-{tag}", a, 0.9, f"pa-{tag}"), DAY2 + minute)
    add(events.RUN_COMPLETED, notebook_run(f"pb-{tag}", b, 0.9), DAY2)
    add(events.RUN_COMPLETED, notebook_run(f"ib-{tag}", b, 0.85, f"pb-{tag}"), DAY2 + minute)
    for learner, proposal, run in ((a, f"p1-{tag}", f"pa-{tag}"), (b, f"p2-{tag}", f"pb-{tag}")):
        add(
            events.IMPROVEMENT_PROPOSED,
            coach_pb2.ImprovementProposed(proposal_id=proposal, run_id=run, owner_id=learner),
            DAY2,
            "coach",
        )
    # p1: rated 5 + accepted; an older rating of 3 is published after it (late event).
    add(
        events.PROPOSAL_RATED,
        coach_pb2.ProposalRated(proposal_id=f"p1-{tag}", owner_id=a, rating=5, verdict="accepted"),
        DAY2 + 10 * minute,
        "coach",
    )
    add(
        events.PROPOSAL_RATED,
        coach_pb2.ProposalRated(proposal_id=f"p1-{tag}", owner_id=a, rating=3),
        DAY2 + 5 * minute,
        "coach",
    )
    add(
        events.PROPOSAL_RATED,
        coach_pb2.ProposalRated(proposal_id=f"p2-{tag}", owner_id=b, verdict="rejected"),
        DAY2 + 5 * minute,
        "coach",
    )
    add(
        events.ADVICE_RATED,
        gateway_pb2.AdviceRated(owner_id=a, proposal_id=f"p1-{tag}", helpful=True),
        DAY2 + 6 * minute,
        "gateway",
    )
    return Scenario(tag, cohort, {"a": a, "b": b, "z": z}, out)
