"""Liveness of the whole system as the gateway sees it."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from gateway.context import Gateway, GatewayDep

router = APIRouter(tags=["health"])


def _database_ok(gw: Gateway) -> bool:
    try:
        with gw.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


@router.get("/healthz")
async def healthz(gw: GatewayDep) -> JSONResponse:
    """gRPC health of every service, NATS and the database; 503 unless all are fine."""
    services, database_ok = await asyncio.gather(
        gw.clients.health(), asyncio.to_thread(_database_ok, gw)
    )
    nats = "connected" if gw.bus.connected.is_set() else "disconnected"
    ok = all(status == "SERVING" for status in services.values()) and nats == "connected"
    ok = ok and database_ok
    body = {
        "status": "ok" if ok else "degraded",
        "services": {**services, "nats": nats, "database": "ok" if database_ok else "error"},
    }
    return JSONResponse({"data": body}, status_code=200 if ok else 503)
