"""Execution service process: warm sandbox pool behind a gRPC server."""

from __future__ import annotations

from ascent.execution.v1 import execution_service_pb2_grpc as pb_grpc

from services.common.datasets import DatasetStore
from services.common.runtime import Runtime, run
from services.execution.challenges import AuthoredBook, ChallengeBook
from services.execution.config import Settings
from services.execution.sandbox import SandboxPool
from services.execution.servicer import ExecutionServicer

SERVICE_NAME = "ascent.execution.v1.ExecutionService"


async def setup(rt: Runtime) -> None:
    settings = rt.settings
    assert isinstance(settings, Settings)
    assert rt.db is not None
    assert rt.relay is not None
    pool = SandboxPool(
        size=settings.pool_size,
        max_queue=settings.max_queue,
        work_root=str(rt.common.data_dir / "sandbox"),
    )
    # Fail closed: if isolation cannot be set up the process exits instead of serving.
    await pool.start()
    rt.on_close.append(pool.close)
    # A malformed curriculum stops the process here, naming the file and the field.
    book = ChallengeBook(settings.curriculum_dir, rt.common.data_dir / "challenges")
    # Authored challenges come from the authoring service, cached beside the curriculum's.
    authored = AuthoredBook(rt.common.authoring_addr, rt.common.data_dir / "challenges")
    rt.on_close.append(authored.close)
    # The datasets: this host's cache of the NATS object store (services/common/datasets.py).
    store = DatasetStore(rt.common.datasets_dir, rt.bus, replicas=rt.common.nats_replicas)
    store.bind()
    servicer = ExecutionServicer(pool, store, rt.db, rt.relay, settings, book, authored)
    pb_grpc.add_ExecutionServiceServicer_to_server(servicer, rt.server)
    rt.service_names.append(SERVICE_NAME)


def main() -> None:
    # Execution owns nothing durable but its outbox: facts of finished runs wait there
    # while NATS is unreachable.
    run("execution", Settings(), setup, migrations="services.execution.migrations")
