"""Every query of the coach."""

from __future__ import annotations

import json

from sqlalchemy import select
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

    def proposed_keys(self, owner_id: str, run_ids: list[str]) -> set[str]:
        """Pipeline keys of every proposal made for these runs of this owner."""
        if not run_ids:
            return set()
        rows = self.session.scalars(
            select(Proposal.pipeline_keys_json).where(
                Proposal.owner_id == owner_id, Proposal.run_id.in_(run_ids)
            )
        )
        keys: set[str] = set()
        for raw in rows:
            keys.update(str(key) for key in json.loads(raw or "[]"))
        return keys
