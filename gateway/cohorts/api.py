"""Cohorts API: create (instructors), join with a code (learners), list, detail,
assignments and the cohort leaderboard of an assigned challenge."""

from __future__ import annotations

from fastapi import APIRouter

from gateway import contract
from gateway.cohorts import flows as cohorts
from gateway.cohorts.views import (
    AssignedView,
    AssignmentCreate,
    CohortBoardView,
    CohortCreate,
    CohortDetailView,
    CohortJoin,
    CohortView,
)
from gateway.context import GatewayDep
from gateway.deps import ApiUser
from gateway.policy import ApiCohortManager
from gateway.views import Data

router = APIRouter(tags=["cohorts"])


@router.post("/cohorts", status_code=201)
async def create_cohort(
    body: CohortCreate, user: ApiCohortManager, gw: GatewayDep
) -> Data[CohortView]:
    """Instructors: a new cohort with its join code."""
    return Data(data=await cohorts.create(gw, user, body.name))


@router.post("/cohorts/join")
@contract.raises(404, 409)
async def join_cohort(body: CohortJoin, user: ApiUser, gw: GatewayDep) -> Data[CohortView]:
    """Join the cohort with this code (joining twice is a no-op)."""
    return Data(data=await cohorts.join(gw, user, body.code))


@router.get("/cohorts")
async def list_cohorts(user: ApiUser, gw: GatewayDep) -> Data[list[CohortView]]:
    """Instructors: the cohorts they run (admins: all); learners: the ones they joined."""
    return Data(data=await cohorts.list_for(gw, user))


@router.get("/cohorts/{cohort_id}")
async def get_cohort(cohort_id: str, user: ApiUser, gw: GatewayDep) -> Data[CohortDetailView]:
    """Assignments with due dates and done/not done (per member for the instructor)."""
    return Data(data=await cohorts.detail(gw, user, cohort_id))


@router.post("/cohorts/{cohort_id}/assignments", status_code=201)
async def assign(
    cohort_id: str, body: AssignmentCreate, user: ApiCohortManager, gw: GatewayDep
) -> Data[AssignedView]:
    """The cohort's instructor assigns a challenge (again: a new due date)."""
    return Data(data=await cohorts.assign(gw, user, cohort_id, body.challenge, body.dueAt))


@router.get("/cohorts/{cohort_id}/leaderboard/{slug}")
async def cohort_board(
    cohort_id: str, slug: str, user: ApiUser, gw: GatewayDep
) -> Data[CohortBoardView]:
    """The challenge board filtered to the cohort's members."""
    return Data(data=await cohorts.leaderboard(gw, user, cohort_id, slug))
