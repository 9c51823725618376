from __future__ import annotations

from ascent.coach.v1 import coach_service_pb2_grpc as pb_grpc

from services.coach.config import Settings
from services.coach.engine import BuiltinEngine, ImprovementEngine
from services.coach.openai_engine import OpenAIEngine, ValidatingEngine
from services.coach.recommender_client import RecommenderClient
from services.coach.service import CoachService
from services.coach.servicer import CoachServicer
from services.common.datasets import DatasetStore
from services.common.runtime import Runtime, run

SERVICE_NAME = "ascent.coach.v1.CoachService"


def build_engine(settings: Settings) -> ImprovementEngine:
    """The built-in engine, or the validated OpenAI engine when one is configured."""
    if not settings.openai_enabled:
        return BuiltinEngine()
    return ValidatingEngine(
        OpenAIEngine(
            model=settings.openai_model,
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url or None,
            timeout=settings.openai_timeout,
        ),
        dry_run=settings.openai_dry_run,
    )


async def setup(rt: Runtime) -> None:
    assert rt.db is not None
    settings = rt.settings
    assert isinstance(settings, Settings)
    recommender = RecommenderClient(rt.common.recommender_addr, settings.recommender_timeout)
    rt.on_close.append(recommender.close)
    servicer = CoachServicer(
        rt.db,
        CoachService(build_engine(settings)),
        recommender,
        rt.relay,
        recommendations=settings.recommendations,
        store=DatasetStore(rt.common.datasets_dir),
    )
    pb_grpc.add_CoachServiceServicer_to_server(servicer, rt.server)
    rt.service_names.append(SERVICE_NAME)


def main() -> None:
    run("coach", Settings(), setup, migrations="services.coach.migrations")
