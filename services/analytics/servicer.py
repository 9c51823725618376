"""gRPC adapter of the analytics service (errors are mapped by services.common.rpc)."""

from __future__ import annotations

import grpc
from ascent.analytics.v1 import analytics_service_pb2 as pb
from ascent.analytics.v1 import analytics_service_pb2_grpc as pb_grpc

from services.analytics import service
from services.common.db import Database
from services.common.events import EventBus


class AnalyticsServicer(pb_grpc.AnalyticsServiceServicer):
    def __init__(self, db: Database, bus: EventBus | None = None) -> None:
        self.db = db
        self.bus = bus

    async def GetEventCounts(
        self,
        request: pb.GetEventCountsRequest,
        context: grpc.aio.ServicerContext[pb.GetEventCountsRequest, pb.GetEventCountsResponse],
    ) -> pb.GetEventCountsResponse:
        return await self.db.run(service.event_counts)

    async def GetDashboard(
        self,
        request: pb.GetDashboardRequest,
        context: grpc.aio.ServicerContext[pb.GetDashboardRequest, pb.GetDashboardResponse],
    ) -> pb.GetDashboardResponse:
        return await self.db.run(lambda s: service.dashboard(s, request.filter))

    async def GetPlatform(
        self,
        request: pb.GetPlatformRequest,
        context: grpc.aio.ServicerContext[pb.GetPlatformRequest, pb.GetPlatformResponse],
    ) -> pb.GetPlatformResponse:
        response = await self.db.run(lambda s: service.platform(s, request.window_minutes))
        await self._lag(response)
        return response

    async def _lag(self, response: pb.GetPlatformResponse) -> None:
        """Consumer info of every durable on the stream, straight from JetStream."""
        bus = self.bus
        if bus is None or bus.nc is None or not bus.connected.is_set():
            response.lag_error = "NATS is not connected"
            return
        try:
            js = bus.nc.jetstream()
            stream = await js.stream_info(bus.stream)
            consumers = await js.consumers_info(bus.stream)
        except Exception as exc:
            response.lag_error = f"consumer info unavailable: {exc!r}"
            return
        response.stream_messages = stream.state.messages
        for info in sorted(consumers, key=lambda c: c.name):
            if not info.config.durable_name:
                continue  # ephemeral consumers (pages, tests) come and go
            response.consumers.append(
                pb.ConsumerLag(
                    durable=info.config.durable_name,
                    filter_subject=info.config.filter_subject or "",
                    num_pending=info.num_pending or 0,
                    num_ack_pending=info.num_ack_pending or 0,
                    num_redelivered=info.num_redelivered or 0,
                    delivered_stream_seq=info.delivered.stream_seq if info.delivered else 0,
                    ack_floor_stream_seq=info.ack_floor.stream_seq if info.ack_floor else 0,
                )
            )
