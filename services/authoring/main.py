"""Wiring of the authoring process: database, outbox relay, clients, gRPC server."""

from __future__ import annotations

from ascent.authoring.v1 import authoring_service_pb2 as pb
from ascent.authoring.v1 import authoring_service_pb2_grpc as pb_grpc

from services.authoring.clients import ExecutionClient, ProgressClient
from services.authoring.config import Settings
from services.authoring.servicer import AuthoringServicer
from services.common.runtime import Runtime, run

NAME = "authoring"
MIGRATIONS = "services.authoring.migrations"


async def setup(rt: Runtime) -> None:
    assert rt.db is not None
    settings = rt.settings if isinstance(rt.settings, Settings) else Settings()
    runner = ExecutionClient(rt.common.execution_addr, settings.execute_timeout_seconds)
    tracks = ProgressClient(rt.common.progress_addr, settings.rpc_timeout_seconds)
    rt.on_close.extend([runner.close, tracks.close])
    servicer = AuthoringServicer(rt.db, settings, runner, tracks, rt.relay)
    pb_grpc.add_AuthoringServiceServicer_to_server(servicer, rt.server)
    rt.service_names.append(pb.DESCRIPTOR.services_by_name["AuthoringService"].full_name)


def main() -> None:
    run(NAME, Settings(), setup, migrations=MIGRATIONS)
