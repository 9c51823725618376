"""The caller's progress and tracks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gateway import flows
from gateway.auth import ApiUser
from gateway.context import GatewayDep
from gateway.schemas import progress_json, track_json

router = APIRouter(tags=["progress"])


@router.get("/me")
async def me(user: ApiUser) -> dict[str, Any]:
    """The authenticated user."""
    return {"data": user.as_json()}


@router.get("/me/progress")
async def my_progress(user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """XP, level, run count, badges and XP history."""
    return {"data": progress_json(await flows.progress(gw, user))}


@router.get("/tracks")
async def tracks(user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """The curriculum's tracks, locked or unlocked for the caller."""
    return {"data": [track_json(track) for track in await flows.tracks(gw, user)]}
