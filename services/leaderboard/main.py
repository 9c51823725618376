"""Wiring of the leaderboard process."""

from __future__ import annotations

from ascent.leaderboard.v1 import leaderboard_service_pb2 as lb
from ascent.leaderboard.v1 import leaderboard_service_pb2_grpc as lb_grpc

from services.common import events
from services.common.runtime import Runtime, run
from services.leaderboard.config import Settings
from services.leaderboard.handlers import RUNS_DURABLE, RunCompletedHandler
from services.leaderboard.servicer import LeaderboardServicer

NAME = "leaderboard"
MIGRATIONS = "services.leaderboard.migrations"


async def setup(rt: Runtime) -> None:
    assert rt.db is not None
    settings = rt.settings if isinstance(rt.settings, Settings) else Settings()
    servicer = LeaderboardServicer(rt.db, settings)
    lb_grpc.add_LeaderboardServiceServicer_to_server(servicer, rt.server)
    rt.service_names.append(lb.DESCRIPTOR.services_by_name["LeaderboardService"].full_name)
    rt.consume(RUNS_DURABLE, events.RUN_COMPLETED, RunCompletedHandler(rt.db, rt.relay))


def main() -> None:
    run(NAME, Settings(), setup, migrations=MIGRATIONS)
