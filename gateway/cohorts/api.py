"""Cohorts API: create (instructors), join with a code (learners), list, detail,
assignments and the cohort leaderboard of an assigned challenge."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from gateway.cohorts import flows as cohorts
from gateway.context import GatewayDep
from gateway.deps import ApiUser
from gateway.policy import ApiCohortManager

router = APIRouter(tags=["cohorts"])


class CohortCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=200)


class CohortJoin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=64)


class AssignmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    challenge: str = Field(max_length=100)
    # A date (due at its end, UTC) or an ISO 8601 date-time.
    dueAt: str = Field(max_length=40)


@router.post("/cohorts", status_code=201)
async def create_cohort(body: CohortCreate, user: ApiCohortManager, gw: GatewayDep) -> JSONResponse:
    """Instructors: a new cohort with its join code."""
    return JSONResponse({"data": await cohorts.create(gw, user, body.name)}, status_code=201)


@router.post("/cohorts/join")
async def join_cohort(body: CohortJoin, user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """Join the cohort with this code (joining twice is a no-op)."""
    return {"data": await cohorts.join(gw, user, body.code)}


@router.get("/cohorts")
async def list_cohorts(user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """Instructors: the cohorts they run (admins: all); learners: the ones they joined."""
    return {"data": await cohorts.list_for(gw, user)}


@router.get("/cohorts/{cohort_id}")
async def get_cohort(cohort_id: str, user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """Assignments with due dates and done/not done (per member for the instructor)."""
    return {"data": await cohorts.detail(gw, user, cohort_id)}


@router.post("/cohorts/{cohort_id}/assignments", status_code=201)
async def assign(
    cohort_id: str, body: AssignmentCreate, user: ApiCohortManager, gw: GatewayDep
) -> JSONResponse:
    """The cohort's instructor assigns a challenge (again: a new due date)."""
    data = await cohorts.assign(gw, user, cohort_id, body.challenge, body.dueAt)
    return JSONResponse({"data": data}, status_code=201)


@router.get("/cohorts/{cohort_id}/leaderboard/{slug}")
async def cohort_board(cohort_id: str, slug: str, user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """The challenge board filtered to the cohort's members."""
    return {"data": await cohorts.leaderboard(gw, user, cohort_id, slug)}
