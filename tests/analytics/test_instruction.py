"""Analytics for instructors (issue 17) on hand-made events: track unlocks and completions,
badges, hint and answer use per challenge, time to a first successful model and learning
velocity, with exact numbers; then the same events through NATS into the real service."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ascent.analytics.v1 import analytics_service_pb2 as pb
from ascent.analytics.v1 import analytics_service_pb2_grpc as pb_grpc
from ascent.events.v1 import gateway_pb2, learning_pb2, progress_pb2
from ascent.types.v1 import run_pb2
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from services.analytics.config import Settings
from services.analytics.handlers import ALL_DURABLE
from services.analytics.main import MIGRATIONS, NAME, setup
from services.common import events
from services.common.db import Database
from tests.analytics.scenario import graded, notebook_run, raw_event, stamp
from tests.analytics.test_dashboard import dashboard, feed
from tests.support.harness import consumer_caught_up, event_bus, publish, running_service
from tests.support.nats_server import NatsServer, free_port
from tests.support.polling import wait_until

# Monday 2 March 2026 (ISO week 10); T0 + 8 days is in week 11.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MIN, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
CH1, CH2 = "iris-first-model", "wine-trees"


@dataclass
class Week:
    cohort: str
    a: str
    b: str
    c: str
    z: str
    events: list[tuple[str, Message]]


def practice(run_id: str, learner: str, slug: str) -> learning_pb2.RunCompleted:
    run = run_pb2.Run(id=run_id, owner_id=learner, session_id=f"s-{learner}", status="ok")
    run.challenge_slug, run.practice = slug, True
    return learning_pb2.RunCompleted(run=run)


def build() -> Week:
    tag = uuid.uuid4().hex[:8]
    a, b, c, z = (f"{name}-{tag}" for name in "abcz")
    cohort = f"c-{tag}"
    out: list[tuple[str, Message]] = []

    def add(subject: str, message: Message, at: datetime, producer: str) -> None:
        out.append((subject, stamp(message, at, producer)))

    def run(message: learning_pb2.RunCompleted, at: datetime) -> None:
        add(events.RUN_COMPLETED, message, at, "execution")

    def passed(learner: str, slug: str, done: bool, at: datetime) -> None:
        message = progress_pb2.ChallengePassed(
            learner_id=learner, challenge_slug=slug, track_slug="basics", track_completed=done
        )
        message.track_title = "Basics"
        add(events.CHALLENGE_PASSED, message, at, "progress")

    def unlocked(learner: str, at: datetime) -> None:
        message = progress_pb2.TrackUnlocked(learner_id=learner, track_slug="trees")
        message.track_title = "Trees"
        add(events.TRACK_UNLOCKED, message, at, "progress")

    def badge(learner: str, slug: str, at: datetime) -> None:
        message = progress_pb2.BadgeAwarded(learner_id=learner, badge_slug=slug)
        message.badge_name = slug.replace("-", " ").title()
        add(events.BADGE_AWARDED, message, at, "progress")

    def xp(learner: str, amount: int, at: datetime) -> None:
        add(
            events.XP_AWARDED,
            progress_pb2.XpAwarded(learner_id=learner, amount=amount),
            at,
            "progress",
        )

    def hint(learner: str, slug: str, shown: int, at: datetime) -> None:
        message = gateway_pb2.HintRevealed(learner_id=learner, challenge_slug=slug)
        message.hints_shown, message.hints_total = shown, 3
        add(events.HINT_REVEALED, message, at, "gateway")

    def answer(learner: str, slug: str, at: datetime) -> None:
        message = gateway_pb2.AnswerTaken(learner_id=learner, challenge_slug=slug, mode="answer")
        add(events.ANSWER_TAKEN, message, at, "gateway")

    add(
        events.COHORT_CREATED,
        gateway_pb2.CohortCreated(cohort_id=cohort, name="Class", instructor_id=f"t-{tag}"),
        T0 - DAY,
        "gateway",
    )
    for learner in (a, b, c):
        add(
            events.COHORT_JOINED,
            gateway_pb2.CohortJoined(cohort_id=cohort, learner_id=learner),
            T0 - DAY,
            "gateway",
        )
    # a: first run at T0, fails then passes CH1 20 min in (two hints, unlocks "trees"), then
    # takes the coach's answer on CH2 and passes it 8 days later, completing "basics".
    run(notebook_run(f"a0-{tag}", a, 0.7), T0)
    run(graded(f"a1-{tag}", a, False, 0.8), T0 + 5 * MIN)
    hint(a, CH1, 1, T0 + 10 * MIN)
    hint(a, CH1, 2, T0 + 15 * MIN)
    run(graded(f"a2-{tag}", a, True, 0.95), T0 + 20 * MIN)
    passed(a, CH1, False, T0 + 20 * MIN)
    unlocked(a, T0 + 20 * MIN)
    answer(a, CH2, T0 + 8 * DAY - HOUR)
    run(graded(f"a3-{tag}", a, True, 0.9, CH2), T0 + 8 * DAY)
    passed(a, CH2, True, T0 + 8 * DAY)
    # b: first run an hour in, practises CH1, a hint the next day, passes two days in.
    run(notebook_run(f"b0-{tag}", b, 0.6), T0 + HOUR)
    run(practice(f"b1-{tag}", b, CH1), T0 + 2 * HOUR)
    hint(b, CH1, 1, T0 + HOUR + DAY)
    run(graded(f"b2-{tag}", b, True, 0.93), T0 + HOUR + 2 * DAY)
    passed(b, CH1, False, T0 + HOUR + 2 * DAY)
    unlocked(b, T0 + HOUR + 2 * DAY)
    # c: runs, fails CH1, takes the coach's answer, never passes.
    run(notebook_run(f"c0-{tag}", c, 0.5), T0 + 3 * HOUR)
    run(graded(f"c1-{tag}", c, False, 0.6), T0 + 3 * HOUR + MIN)
    answer(c, CH1, T0 + 3 * HOUR + 2 * MIN)
    # z, not in the cohort: passes CH1 with their very first run, after three hints.
    hint(z, CH1, 3, T0 - MIN)
    run(graded(f"z1-{tag}", z, True, 0.99), T0)
    passed(z, CH1, False, T0)
    for learner in (a, b, c, z):
        badge(learner, "first-run", T0 + 4 * HOUR)
    badge(a, "first-pass", T0 + 20 * MIN)
    badge(b, "first-pass", T0 + HOUR + 2 * DAY)
    for learner, amount, at in (
        (a, 10, T0),
        (a, 50, T0 + 20 * MIN),
        (a, 50, T0 + 8 * DAY),
        (b, 10, T0 + HOUR),
        (b, 50, T0 + HOUR + 2 * DAY),
        (c, 10, T0 + 3 * HOUR),
        (z, 100, T0),
    ):
        xp(learner, amount, at)
    return Week(cohort, a, b, c, z, out)


def numbers(instruction: pb.Instruction) -> dict[str, Any]:
    data: dict[str, Any] = MessageToDict(instruction, preserving_proto_field_name=True)
    return data


COHORT_WEEK = {
    "tracks": [
        {"track_slug": "basics", "track_title": "Basics", "passed_one": "2", "completed": "1"},
        {"track_slug": "trees", "track_title": "Trees", "unlocked": "2"},
    ],
    "badges": [
        {"badge_slug": "first-run", "badge_name": "First Run", "awarded": "3"},
        {"badge_slug": "first-pass", "badge_name": "First Pass", "awarded": "2"},
    ],
    "help": [
        {
            "challenge_slug": CH1,
            "learners": "3",
            "hint_learners": "2",
            "hint_share": 2 / 3,
            "mean_hints": 1.5,
            "answer_learners": "1",
            "answer_share": 1 / 3,
        },
        {
            "challenge_slug": CH2,
            "learners": "1",
            "hint_share": 0.0,
            "answer_learners": "1",
            "answer_share": 1.0,
        },
    ],
    # a: 20 min (1,200 s); b: 2 days (172,800 s); c has not passed yet.
    "first_model": {
        "learners_with_runs": "3",
        "learners_succeeded": "2",
        "median_seconds": 87000.0,
        "distribution": [
            {"label": "< 10 min"},
            {"label": "10-60 min", "learners": "1"},
            {"label": "1-24 h"},
            {"label": "1-7 days", "learners": "1"},
            {"label": "> 7 days"},
        ],
    },
    # a: 2 passes / 2 active weeks, 110 XP / 2 active days; b: 1 / 1, 60 / 2; c: 0 / 1, 10 / 1.
    "velocity": {
        "learners": "3",
        "median_passes_per_active_week": 1.0,
        "mean_passes_per_active_week": 2 / 3,
        "median_xp_per_active_day": 30.0,
        "mean_xp_per_active_day": 95 / 3,
        "distribution": [
            {"label": "0", "learners": "1"},
            {"label": "up to 1", "learners": "2"},
            {"label": "1-3"},
            {"label": "> 3"},
        ],
    },
}


def test_a_cohorts_progress_help_and_pace_have_exact_numbers(db: Database) -> None:
    week = build()
    raw = [raw_event(subject, message) for subject, message in week.events]
    assert feed(db, raw) == len(raw)
    assert numbers(dashboard(db, week.cohort).instruction) == COHORT_WEEK
    assert feed(db, raw) == 0, "a redelivery counts nothing"
    shuffled = list(raw)
    random.Random(7).shuffle(shuffled)
    # Arrival order and batching do not matter: a fresh feed of the same facts in another
    # order gives the same numbers (the first feed is already logged, so nothing changes).
    assert feed(db, shuffled, batch=3) == 0
    assert numbers(dashboard(db, week.cohort).instruction) == COHORT_WEEK


def test_the_same_events_shuffled_and_batched_give_the_same_numbers(db: Database) -> None:
    week = build()
    raw = [raw_event(subject, message) for subject, message in week.events]
    random.Random(11).shuffle(raw)
    assert feed(db, raw, batch=4) == len(raw)
    assert numbers(dashboard(db, week.cohort).instruction) == COHORT_WEEK


def test_a_date_range_places_events_by_occurred_at(db: Database) -> None:
    week = build()
    feed(db, [raw_event(s, m) for s, m in week.events])
    result = dashboard(db, week.cohort, from_day="2026-03-03").instruction
    # b's CH1 pass (and unlock) on 4 March and a's CH2 pass on 10 March are in range.
    assert [(t.track_slug, t.unlocked, t.passed_one, t.completed) for t in result.tracks] == [
        ("basics", 0, 2, 1),
        ("trees", 1, 0, 0),
    ]
    assert [(x.badge_slug, x.awarded) for x in result.badges] == [("first-pass", 1)]
    assert [
        (h.challenge_slug, h.learners, h.hint_learners, h.mean_hints, h.answer_learners)
        for h in result.help
    ] == [(CH1, 1, 1, 1.0, 0), (CH2, 1, 0, 0.0, 1)]
    # a passed before the range (neither waiting nor counted); b in range; c still waiting.
    first = result.first_model
    assert (first.learners_with_runs, first.learners_succeeded, first.median_seconds) == (
        2,
        1,
        172800.0,
    )
    # a: CH2 in 1 active week, 50 XP on 1 day; b: CH1 in 1 week, 50 XP on 1 day.
    velocity = result.velocity
    assert velocity.learners == 2
    assert (velocity.median_passes_per_active_week, velocity.median_xp_per_active_day) == (
        1.0,
        50.0,
    )


def test_admins_see_every_learner_and_the_challenge_filter_narrows_help(db: Database) -> None:
    week = build()
    feed(db, [raw_event(s, m) for s, m in week.events])
    everyone = dashboard(db, "").instruction
    (ch1,) = [h for h in everyone.help if h.challenge_slug == CH1]
    # z (no cohort) worked on CH1 after three hints.
    assert (ch1.learners, ch1.hint_learners, ch1.mean_hints, ch1.answer_learners) == (4, 3, 2.0, 1)
    # z's first run was their passing submission: 0 s.
    first = everyone.first_model
    assert (first.learners_succeeded, first.distribution[0].learners) == (3, 1)
    assert first.median_seconds == 1200.0
    assert [(t.track_slug, t.passed_one) for t in everyone.tracks] == [("basics", 3), ("trees", 0)]
    narrowed = dashboard(db, week.cohort, challenge_slug=CH2).instruction
    assert [h.challenge_slug for h in narrowed.help] == [CH2]


@pytest.mark.integration
async def test_instruction_numbers_through_nats_and_the_real_service(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    week = build()
    shuffled = list(week.events)
    random.Random(5).shuffle(shuffled)
    async with event_bus(nats_server.url) as bus:
        for subject, message in shuffled:
            await publish(bus, subject, message)
        # Redelivered past the JetStream duplicate window: the service's own idempotency.
        for subject, message in shuffled[:5]:
            await publish(bus, subject, message, msg_id=str(uuid.uuid4()))
        async with running_service(
            NAME, Settings(grpc_port=free_port()), setup, MIGRATIONS, nats_server.url, tmp_path
        ) as channel:
            stub = pb_grpc.AnalyticsServiceStub(channel)
            await wait_until(lambda: consumer_caught_up(bus, ALL_DURABLE), what="consumed")
            response = await stub.GetDashboard(
                pb.GetDashboardRequest(filter=pb.DashboardFilter(cohort_id=week.cohort))
            )
    assert numbers(response.instruction) == COHORT_WEEK
