"""Process wiring shared by every service: logging, database, NATS, gRPC server, health,
signals and graceful shutdown (stop taking RPCs, finish in-flight ones, drain NATS)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer

from services.common import ops
from services.common.config import CommonSettings, ServiceSettings
from services.common.db import Database
from services.common.events import BatchHandler, ConsumerSpec, EventBus, Handler
from services.common.logging import configure_logging
from services.common.outbox import OutboxRelay
from services.common.rpc import EXIT_ADDRESS_IN_USE, AddressInUse, bind, create_server

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    name: str
    settings: ServiceSettings
    common: CommonSettings
    server: grpc.aio.Server
    bus: EventBus
    db: Database | None = None
    relay: OutboxRelay | None = None
    service_names: list[str] = field(default_factory=list)
    on_close: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def consume(self, durable: str, filter_subject: str, handler: Handler) -> None:
        self.bus.consume(
            ConsumerSpec(durable=durable, filter_subject=filter_subject, handler=handler)
        )

    def consume_batches(
        self, durable: str, filter_subject: str, handler: BatchHandler, batch: int = 500
    ) -> None:
        """A consumer that takes undecoded batches (one unit of work per batch)."""
        self.bus.consume(
            ConsumerSpec(
                durable=durable,
                filter_subject=filter_subject,
                batch_handler=handler,
                batch=batch,
            )
        )


Setup = Callable[[Runtime], Awaitable[None]]


async def serve(
    name: str,
    settings: ServiceSettings,
    setup: Setup,
    migrations: str | None = None,
    common: CommonSettings | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run a service until SIGTERM/SIGINT (or `stop` is set)."""
    common = common or CommonSettings()
    configure_logging(name, common.log_level)
    db: Database | None = None
    if migrations is not None:
        db = Database(settings.resolved_database_url(name, common))
        await asyncio.to_thread(db.migrate, name, migrations)

    bus = EventBus(
        common.nats_url, producer=name, stream=common.stream, replicas=common.nats_replicas
    )
    server = create_server()
    # Bound before setup (sandbox pools, clients): a taken port fails fast and cheaply.
    try:
        port = bind(server, settings.grpc_host, settings.grpc_port)
    except AddressInUse:
        if db is not None:
            db.dispose()
        raise
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    runtime = Runtime(name=name, settings=settings, common=common, server=server, bus=bus, db=db)
    if db is not None:
        runtime.relay = OutboxRelay(db, bus, producer=name)
        ops.add_to_server(runtime.relay, server)
        runtime.service_names.append(ops.SERVICE_NAME)

    await setup(runtime)
    await server.start()
    await bus.start()
    if runtime.relay is not None:
        runtime.relay.start()
    for service_name in ["", *runtime.service_names]:
        await health.set(service_name, health_pb2.HealthCheckResponse.SERVING)
    log.info("serving", extra={"grpc_port": port, "host": settings.grpc_host})

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()

    log.info("shutting down")
    await health.enter_graceful_shutdown()
    await server.stop(settings.shutdown_grace)
    for hook in runtime.on_close:
        with contextlib.suppress(Exception):
            await hook()
    if runtime.relay is not None:
        await runtime.relay.close()
    await bus.close()
    if db is not None:
        db.dispose()
    log.info("stopped")


def run(name: str, settings: ServiceSettings, setup: Setup, migrations: str | None = None) -> None:
    """Entry point helper for `python -m services.<name>`."""
    try:
        asyncio.run(serve(name, settings, setup, migrations))
    except AddressInUse as exc:
        log.error("cannot start: %s", exc)
        sys.exit(EXIT_ADDRESS_IN_USE)
