"""Liveness of the whole system as the gateway sees it, and the lag of every outbox."""

from __future__ import annotations

import asyncio
from typing import Any

from ascent.ops.v1 import ops_service_pb2 as ops_pb
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from gateway.context import Gateway, GatewayDep
from services.common.ops import outbox_response

router = APIRouter(tags=["health"])


def _database_ok(gw: Gateway) -> bool:
    try:
        with gw.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


def _own_outbox(gw: Gateway) -> ops_pb.GetOutboxResponse | None:
    try:
        return outbox_response(gw.relay.status())
    except Exception:
        return None


async def all_outboxes(gw: Gateway) -> dict[str, ops_pb.GetOutboxResponse | None]:
    """The gateway's own outbox status and every service's (None: unreachable)."""
    peers, own = await asyncio.gather(gw.clients.outboxes(), asyncio.to_thread(_own_outbox, gw))
    return {"gateway": own, **peers}


def _outbox_view(status: ops_pb.GetOutboxResponse | None) -> dict[str, Any] | None:
    if status is None:
        return None
    view: dict[str, Any] = {
        "pending": status.pending,
        "oldestPendingSeconds": round(status.oldest_pending_seconds, 1),
        "deadLettered": status.dead_lettered,
        "headAttempts": status.head_attempts,
        "lastDeadLetter": None,
    }
    if status.dead_lettered:
        view["lastDeadLetter"] = {
            "subject": status.last_dead_subject,
            "eventId": status.last_dead_event_id,
            "error": status.last_dead_error,
        }
    return view


def _alerts(gw: Gateway, outboxes: dict[str, ops_pb.GetOutboxResponse | None]) -> list[str]:
    alerts = []
    limit = gw.settings.outbox_lag_alert_seconds
    for name, status in outboxes.items():
        if status is None:
            continue
        if status.dead_lettered:
            alerts.append(
                f"{name}: {status.dead_lettered} event(s) dead-lettered, the latest "
                f"{status.last_dead_subject} ({status.last_dead_error})"
            )
        if status.pending and status.oldest_pending_seconds > limit:
            alerts.append(
                f"{name}: {status.pending} event(s) unpublished, the oldest for "
                f"{status.oldest_pending_seconds:.0f} s"
            )
    return alerts


@router.get("/healthz")
async def healthz(gw: GatewayDep) -> JSONResponse:
    """gRPC health of every service, NATS and the database (503 unless all are up), and the
    outbox lag of every service: pending events, the oldest one's age, dead-lettered events.
    Everything up but an outbox dead-lettered or lagging: 200 with status "alert" (restarting
    does not clear a dead letter; an operator has to look)."""
    services, database_ok, outboxes = await asyncio.gather(
        gw.clients.health(), asyncio.to_thread(_database_ok, gw), all_outboxes(gw)
    )
    nats = "connected" if gw.bus.connected.is_set() else "disconnected"
    ok = all(status == "SERVING" for status in services.values()) and nats == "connected"
    ok = ok and database_ok
    alerts = _alerts(gw, outboxes)
    body = {
        "status": ("alert" if alerts else "ok") if ok else "degraded",
        "services": {**services, "nats": nats, "database": "ok" if database_ok else "error"},
        "outbox": {name: _outbox_view(status) for name, status in outboxes.items()},
        "alerts": alerts,
    }
    return JSONResponse({"data": body}, status_code=200 if ok else 503)
