"""A burst of N real events for the analytics service (test and bench/bench_analytics.py),
with the dashboard numbers it must produce, counted here independently of the service.

One cohort, `learners` members, then graded challenge submissions spread over a week and
three challenges; a learner's submissions on a challenge pass from their third day on.
Published with core NATS publishes (the stream captures them) so the publisher is not the
bottleneck being measured.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ascent.events.v1 import gateway_pb2
from google.protobuf.message import Message

from services.common import events
from services.common.events import EventBus
from tests.analytics.scenario import graded, stamp

START = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
DAYS = 7
CHALLENGES = 3


@dataclass
class Burst:
    cohort_id: str
    events: list[tuple[str, Message]]
    learners: int
    # day -> (active learners, runs); slug -> (runs, graded, passing)
    activity: dict[str, tuple[int, int]] = field(default_factory=dict)
    challenges: dict[str, tuple[int, int, int]] = field(default_factory=dict)


def build(tag: str, total: int = 10_000, learners: int = 100) -> Burst:
    cohort = f"burst-{tag}"
    out: list[tuple[str, Message]] = [
        (
            events.COHORT_CREATED,
            stamp(
                gateway_pb2.CohortCreated(cohort_id=cohort, name="Burst", instructor_id="t"),
                START - timedelta(days=1),
                "gateway",
            ),
        )
    ]
    ids = [f"l{i}-{tag}" for i in range(learners)]
    for learner in ids:
        out.append(
            (
                events.COHORT_JOINED,
                stamp(
                    gateway_pb2.CohortJoined(cohort_id=cohort, learner_id=learner),
                    START - timedelta(hours=12),
                    "gateway",
                ),
            )
        )
    day_learners: dict[str, set[str]] = defaultdict(set)
    day_runs: dict[str, int] = defaultdict(int)
    per_challenge: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for index in range(total - len(out)):
        learner = ids[index % learners]
        day = (index // learners) % DAYS
        slug = f"burst-ch{index % CHALLENGES}-{tag}"
        passed = day >= 2
        at = START + timedelta(days=day, seconds=index % 3600)
        run = graded(f"r{index}-{tag}", learner, passed, 0.95 if passed else 0.5, slug)
        out.append((events.RUN_COMPLETED, stamp(run, at, "execution")))
        key = at.strftime("%Y-%m-%d")
        day_learners[key].add(learner)
        day_runs[key] += 1
        counts = per_challenge[slug]
        counts[0] += 1
        counts[1] += 1
        counts[2] += int(passed)
    burst = Burst(cohort, out, learners)
    burst.activity = {d: (len(day_learners[d]), day_runs[d]) for d in sorted(day_runs)}
    burst.challenges = {s: (c[0], c[1], c[2]) for s, c in sorted(per_challenge.items())}
    return burst


async def publish_all(bus: EventBus, items: list[tuple[str, Message]]) -> None:
    """Core publishes into the stream's subjects, then wait until JetStream stored them all."""
    assert bus.nc is not None
    js = bus.nc.jetstream()
    before = (await js.stream_info(bus.stream)).state.messages
    for subject, message in items:
        meta = events.meta_of(message)
        await bus.nc.publish(subject, message.SerializeToString(), headers=events.headers_for(meta))
    await bus.nc.flush()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while (await js.stream_info(bus.stream)).state.messages < before + len(items):
        if loop.time() > deadline:
            raise TimeoutError("the stream did not store the burst")
        await asyncio.sleep(0.05)
