"""Curriculum API: tracks, challenges, graded submissions and practice runs, challenge
leaderboards, the profile and progress, and the next challenge to take."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from gateway.context import GatewayDep
from gateway.curriculum import flows, views
from gateway.deps import ApiUser
from gateway.notebook.views import run_json
from gateway.policy import ApiBoardManager

router = APIRouter(tags=["curriculum"])
progress_router = APIRouter(tags=["progress"])
recommendations = APIRouter(prefix="/recommendations", tags=["recommendations"])
class SubmissionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=200_000)


class BoardSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hidden: bool = False
    revealPrivate: bool = False


@router.get("/tracks")
async def list_tracks(user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """Tracks with lock state, progress, what unlocks them and each challenge's state."""
    tracks = await flows.tracks(gw, user)
    return {"data": [views.track_json(t) for t in tracks]}


@router.get("/challenges/{slug}")
async def get_challenge(slug: str, user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """Lesson, outcomes, hints, starter code and lock state (never the solution)."""
    detail = await flows.challenge(gw, user, slug)
    return {"data": views.challenge_json(detail)}


@router.post("/challenges/{slug}/submissions", status_code=201)
async def submit(slug: str, body: SubmissionCreate, user: ApiUser, gw: GatewayDep) -> JSONResponse:
    """Runs the code on the challenge data and grades its predictions on hidden labels."""
    run = await flows.submit(gw, user, slug, body.code)
    return JSONResponse({"data": views.submission_json(run)}, status_code=201)


@router.post("/challenges/{slug}/practice", status_code=201)
async def practice(
    slug: str, body: SubmissionCreate, user: ApiUser, gw: GatewayDep
) -> JSONResponse:
    """Runs the code on the challenge data WITHOUT grading (not a submission, not on the
    board): output, metrics and any error, like a notebook run."""
    run = await flows.practice(gw, user, slug, body.code)
    data = {**run_json(run), "practice": run.practice, "challenge": run.challenge_slug}
    return JSONResponse({"data": data}, status_code=201)


@router.get("/leaderboards/{slug}")
async def get_board(
    slug: str, user: ApiUser, gw: GatewayDep, version: int = 0
) -> dict[str, Any]:
    """Best graded submission per learner (public score; private only when revealed).
    Authored challenges keep one board per version: `version` picks an earlier one."""
    return {"data": await flows.board(gw, user, slug, version)}


@router.put("/leaderboards/{slug}")
async def set_board(
    slug: str, body: BoardSettings, user: ApiBoardManager, gw: GatewayDep
) -> dict[str, Any]:
    """Instructors: hide a board or reveal its private standing."""
    result = await flows.set_board(gw, user, slug, body.hidden, body.revealPrivate)
    return {"data": result}


@router.get("/profile")
async def profile(user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """XP, level, streaks, badges with dates, challenge results and XP history."""
    return {"data": views.profile_json(await gw.clients.get_progress(user.id))}


@progress_router.get("/me/progress")
async def my_progress(user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """XP, level, run count, badges and XP history."""
    return {"data": views.progress_json(await flows.progress(gw, user))}


@recommendations.get("/next-challenge")
async def next_challenge(
    user: ApiUser, gw: GatewayDep, limit: Annotated[int, Query(ge=1, le=5)] = 3
) -> dict[str, Any]:
    """Open challenges ranked from the caller's graded runs (near misses, weak metrics, task
    types and tags, what a pass unlocked), each with a rationale; plus the weak spots."""
    return {"data": await flows.next_challenge(gw, user, limit)}


curriculum_router = router
router = APIRouter()
router.include_router(curriculum_router)
router.include_router(progress_router)
router.include_router(recommendations)
