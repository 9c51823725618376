"""Analytics benchmark: how fast a burst of events is absorbed (issue 7).

    .venv/bin/python bench/bench_analytics.py [--events 10000] [--batch 500] [--database-url URL]

Starts a private nats-server and the analytics service in-process (as the tests do), publishes
the burst of tests/support/analytics_burst.py into the stream, and measures from the first
publish until the durable consumer has nothing pending or unacknowledged; then checks the
dashboard numbers are exact. Figures are recorded in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ascent.analytics.v1 import analytics_service_pb2 as pb
from ascent.analytics.v1 import analytics_service_pb2_grpc as pb_grpc

from services.analytics import handlers
from services.analytics.config import Settings
from services.analytics.main import MIGRATIONS, NAME, setup
from services.supervisor.stack import free_port
from tests.support import analytics_burst
from tests.support.harness import (
    consumer_caught_up,
    event_bus,
    running_service,
    wait_until,
)
from tests.support.nats_server import running_nats


async def bench(total: int, database_url: str, work: Path) -> dict[str, float]:
    burst = analytics_burst.build(uuid.uuid4().hex[:6], total=total)
    with running_nats(work / "jetstream") as nats:
        async with event_bus(nats.url) as bus:
            settings = Settings(grpc_port=free_port(), database_url=database_url)
            async with running_service(
                NAME, settings, setup, MIGRATIONS, nats.url, work / "data"
            ) as channel:
                stub = pb_grpc.AnalyticsServiceStub(channel)
                started = time.perf_counter()
                await analytics_burst.publish_all(bus, burst.events)
                published = time.perf_counter()
                await wait_until(lambda: consumer_caught_up(bus, handlers.ALL_DURABLE), timeout=600)
                absorbed = time.perf_counter()
                request = pb.GetDashboardRequest(
                    filter=pb.DashboardFilter(cohort_id=burst.cohort_id)
                )
                query_start = time.perf_counter()
                result = await stub.GetDashboard(request)
                query = time.perf_counter() - query_start
    exact = (
        result.events_logged == total
        and {a.day: (a.active_learners, a.runs) for a in result.activity} == burst.activity
        and {c.challenge_slug: (c.runs, c.graded, c.passing) for c in result.challenges}
        == burst.challenges
    )
    if not exact:
        raise SystemExit("dashboard numbers are wrong after the burst")
    return {
        "publish_s": published - started,
        "absorb_s": absorbed - started,
        "events_per_s": total / (absorbed - started),
        "dashboard_query_ms": query * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=handlers.BATCH)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp dir")
    args = parser.parse_args()
    handlers.BATCH = args.batch
    with tempfile.TemporaryDirectory() as tmp:
        figures = asyncio.run(bench(args.events, args.database_url, Path(tmp)))
    where = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{args.events} events, batch {args.batch}, {where}: published in "
        f"{figures['publish_s']:.2f} s, absorbed in {figures['absorb_s']:.2f} s "
        f"({figures['events_per_s']:.0f} events/s), dashboard query "
        f"{figures['dashboard_query_ms']:.0f} ms; numbers exact"
    )


if __name__ == "__main__":
    main()
