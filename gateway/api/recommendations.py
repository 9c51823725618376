"""Recommendations for the caller: the next challenge to take."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from gateway import recommendations
from gateway.auth import ApiUser
from gateway.context import GatewayDep

router = APIRouter(prefix="/recommendations", tags=["recommendations"])


@router.get("/next-challenge")
async def next_challenge(
    user: ApiUser, gw: GatewayDep, limit: Annotated[int, Query(ge=1, le=5)] = 3
) -> dict[str, Any]:
    """Open challenges ranked from the caller's graded runs (near misses, weak metrics, task
    types and tags, what a pass unlocked), each with a rationale; plus the weak spots."""
    return {"data": await recommendations.next_challenge(gw, user, limit)}
