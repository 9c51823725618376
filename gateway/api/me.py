"""The caller and their progress."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gateway import flows
from gateway.auth import ApiUser
from gateway.context import GatewayDep
from gateway.schemas import progress_json

router = APIRouter(tags=["progress"])


@router.get("/me")
async def me(user: ApiUser) -> dict[str, Any]:
    """The authenticated user."""
    return {"data": user.as_json()}


@router.get("/me/progress")
async def my_progress(user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """XP, level, run count, badges and XP history."""
    return {"data": progress_json(await flows.progress(gw, user))}

# GET /api/tracks lives in gateway/api/challenges.py (same fields plus lock state, progress
# and what unlocks each track).
