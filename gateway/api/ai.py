"""Improve with AI: the coach's diagnosis plus its improved experiment, already run."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gateway import flows
from gateway.auth import ApiUser
from gateway.context import GatewayDep
from gateway.schemas import ImproveCreate

router = APIRouter(prefix="/ai", tags=["ai"])


@router.post("/improve")
async def improve(body: ImproveCreate, user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """Improves `runId` (default: the session's latest run) and runs the proposal."""
    improvement = await flows.improve(
        gw, user, body.session_id, body.run_id, mode=body.mode, rounds=body.rounds
    )
    return {"data": improvement.as_json()}
