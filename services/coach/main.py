from __future__ import annotations

from ascent.coach.v1 import coach_service_pb2_grpc as pb_grpc

from services.coach.config import Settings
from services.coach.engine import BuiltinEngine, ImprovementEngine
from services.coach.openai_engine import OpenAIEngine, ValidatingEngine
from services.coach.recommender_client import RecommenderClient
from services.coach.service import CoachService
from services.coach.servicer import CoachServicer
from services.coach.validation import SandboxDryRun
from services.common.runtime import Runtime, run

SERVICE_NAME = "ascent.coach.v1.CoachService"


def build_engine(settings: Settings, execution_addr: str = "") -> ImprovementEngine:
    """The built-in engine, or the validated OpenAI engine when one is configured (its
    proposals dry-run in the sandbox of the execution service at `execution_addr`)."""
    if not settings.openai_enabled:
        return BuiltinEngine()
    dry_run = (
        SandboxDryRun(execution_addr, settings.dry_run_seconds)
        if settings.openai_dry_run and execution_addr
        else None
    )
    return ValidatingEngine(
        OpenAIEngine(
            model=settings.openai_model,
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url or None,
            timeout=settings.openai_timeout,
        ),
        dry_run=dry_run,
    )


async def setup(rt: Runtime) -> None:
    assert rt.db is not None
    settings = rt.settings
    assert isinstance(settings, Settings)
    recommender = RecommenderClient(rt.common.recommender_addr, settings.recommender_timeout)
    rt.on_close.append(recommender.close)
    servicer = CoachServicer(
        rt.db,
        CoachService(build_engine(settings, rt.common.execution_addr)),
        recommender,
        rt.relay,
        recommendations=settings.recommendations,
    )
    pb_grpc.add_CoachServiceServicer_to_server(servicer, rt.server)
    rt.service_names.append(SERVICE_NAME)


def main() -> None:
    run("coach", Settings(), setup, migrations="services.coach.migrations")
