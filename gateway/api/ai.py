"""Improve with AI: the coach's diagnosis plus its improved experiment, already run."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gateway import flows
from gateway.auth import ApiUser
from gateway.context import GatewayDep
from gateway.schemas import ImproveCreate, ProposalFeedback
from services.common.errors import AscentError

router = APIRouter(prefix="/ai", tags=["ai"])


@router.post("/improve")
async def improve(body: ImproveCreate, user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """Improves `runId` (default: the session's latest run) and runs the proposal."""
    improvement = await flows.improve(
        gw, user, body.session_id, body.run_id, mode=body.mode, rounds=body.rounds
    )
    return {"data": improvement.as_json()}


@router.post("/proposals/{proposal_id}/feedback")
async def feedback(
    proposal_id: str, body: ProposalFeedback, user: ApiUser, gw: GatewayDep
) -> dict[str, Any]:
    """Rate (1-5) and/or accept or reject a proposal; the recommender learns from it."""
    if body.rating is None and body.verdict is None:
        raise AscentError("invalid_argument", "Give a rating (1-5), a verdict, or both.")
    await gw.clients.rate_proposal(proposal_id[:64], user.id, body.rating or 0, body.verdict or "")
    return {"data": {"proposalId": proposal_id, "rating": body.rating, "verdict": body.verdict}}
