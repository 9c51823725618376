"""`ascent.ops.v1.OpsService`: the operational state every process with an outbox serves
beside its own API (registered by `runtime.serve`), read by the gateway's `/healthz`."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
from ascent.ops.v1 import ops_service_pb2 as pb
from ascent.ops.v1 import ops_service_pb2_grpc as pb_grpc

from services.common.outbox import OutboxRelay, OutboxStatus

SERVICE_NAME = "ascent.ops.v1.OpsService"


def outbox_response(status: OutboxStatus) -> pb.GetOutboxResponse:
    return pb.GetOutboxResponse(
        producer=status.producer,
        pending=status.pending,
        oldest_pending_seconds=status.oldest_pending_seconds,
        dead_lettered=status.dead_lettered,
        head_attempts=status.head_attempts,
        last_dead_subject=status.last_dead_subject,
        last_dead_event_id=status.last_dead_event_id,
        last_dead_error=status.last_dead_error,
    )


class OpsServicer(pb_grpc.OpsServiceServicer):
    def __init__(self, relay: OutboxRelay) -> None:
        self.relay = relay

    async def GetOutbox(
        self, request: pb.GetOutboxRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetOutboxResponse:
        return outbox_response(await asyncio.to_thread(self.relay.status))


def add_to_server(relay: OutboxRelay, server: grpc.aio.Server) -> None:
    pb_grpc.add_OpsServiceServicer_to_server(OpsServicer(relay), server)
