from __future__ import annotations

from ascent.coach.v1 import coach_service_pb2_grpc as pb_grpc

from services.coach.config import Settings
from services.coach.recommender_client import RecommenderClient
from services.coach.service import CoachService
from services.coach.servicer import CoachServicer
from services.common.runtime import Runtime, run

SERVICE_NAME = "ascent.coach.v1.CoachService"


async def setup(rt: Runtime) -> None:
    assert rt.db is not None
    settings = rt.settings
    assert isinstance(settings, Settings)
    recommender = RecommenderClient(rt.common.recommender_addr, settings.recommender_timeout)
    rt.on_close.append(recommender.close)
    servicer = CoachServicer(
        rt.db, CoachService(), recommender, rt.relay, recommendations=settings.recommendations
    )
    pb_grpc.add_CoachServiceServicer_to_server(servicer, rt.server)
    rt.service_names.append(SERVICE_NAME)


def main() -> None:
    run("coach", Settings(), setup, migrations="services.coach.migrations")
