"""Every query of the coach."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.coach.models import Proposal


def add_proposal(session: Session, proposal: Proposal) -> None:
    session.add(proposal)
    session.flush()


def get_proposal(session: Session, proposal_id: str) -> Proposal | None:
    return session.get(Proposal, proposal_id)
