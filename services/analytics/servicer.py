"""gRPC adapter of the analytics service."""

from __future__ import annotations

import asyncio

import grpc
from ascent.analytics.v1 import analytics_service_pb2 as pb
from ascent.analytics.v1 import analytics_service_pb2_grpc as pb_grpc

from services.analytics import service
from services.common.db import Database


class AnalyticsServicer(pb_grpc.AnalyticsServiceServicer):
    def __init__(self, db: Database) -> None:
        self.db = db

    def _counts(self) -> pb.GetEventCountsResponse:
        with self.db.session() as session:
            return service.event_counts(session)

    async def GetEventCounts(
        self, request: pb.GetEventCountsRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetEventCountsResponse:
        # DB access is synchronous: keep it off the event loop.
        return await asyncio.to_thread(self._counts)
