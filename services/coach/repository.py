"""Every query of the coach."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.coach.models import Proposal


class CoachRepository:
    """Every query of the coach, on one session (the unit of work the adapter opened)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_proposal(self, proposal: Proposal) -> None:
        self.session.add(proposal)
        self.session.flush()

    def get_proposal(self, proposal_id: str) -> Proposal | None:
        return self.session.get(Proposal, proposal_id)
