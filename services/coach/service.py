"""Coach logic: ask an engine for an improvement, persist it and stage the event.

No transport here: the servicer gathers the recommender's answer and opens the unit of work.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from ascent.events.v1 import coach_pb2
from sqlalchemy.orm import Session

from services.coach.engine import BuiltinEngine, ImproveContext, Improvement, ImprovementEngine
from services.coach.models import Proposal
from services.coach.repository import CoachRepository
from services.common import events
from services.common.db import utcnow
from services.common.errors import AscentError
from services.common.outbox import enqueue

PRODUCER = "coach"


@dataclass(frozen=True)
class StoredProposal:
    id: str
    engine: str
    improvement: Improvement


class CoachService:
    def __init__(self, engine: ImprovementEngine | None = None) -> None:
        self.engine: ImprovementEngine = engine or BuiltinEngine()

    def proposed_keys(self, session: Session, context: ImproveContext) -> frozenset[str]:
        """What the coach already proposed in this session (for the run or its history)."""
        run_ids = [run.id for run in [context.run, *context.history] if run.id]
        return frozenset(CoachRepository(session).proposed_keys(context.run.owner_id, run_ids))

    def propose(self, context: ImproveContext) -> Improvement:
        """Pure and possibly slow (code generation): call outside the unit of work."""
        if not context.run.id:
            raise AscentError("invalid_argument", "The run to improve needs an id.")
        return self.engine.propose(context)

    def store(
        self, session: Session, context: ImproveContext, improvement: Improvement
    ) -> StoredProposal:
        """Persist the proposal and stage ImprovementProposed in the same transaction."""
        proposal_id = str(uuid.uuid4())
        run = context.run
        CoachRepository(session).add_proposal(
            Proposal(
                id=proposal_id,
                run_id=run.id,
                owner_id=run.owner_id,
                name=improvement.name,
                code=improvement.code,
                rationale=improvement.rationale,
                diagnosis=improvement.diagnosis,
                suggestions_json=json.dumps(improvement.suggestions),
                pipeline_keys_json=json.dumps(improvement.pipeline_keys),
                engine=improvement.engine or self.engine.name,
                created_at=utcnow(),
            ),
        )
        enqueue(
            session,
            PRODUCER,
            events.IMPROVEMENT_PROPOSED,
            coach_pb2.ImprovementProposed(
                proposal_id=proposal_id,
                run_id=run.id,
                owner_id=run.owner_id,
                experiment_name=improvement.name,
                engine=improvement.engine or self.engine.name,
                pipeline_keys=improvement.pipeline_keys,
                predicted_score=improvement.predicted_score,
                source=improvement.source,
                explored=improvement.explored,
                dataset_sha256=run.dataset_sha256,
            ),
        )
        return StoredProposal(
            id=proposal_id, engine=improvement.engine or self.engine.name, improvement=improvement
        )


VERDICTS = ("accepted", "rejected")


def rate(session: Session, proposal_id: str, owner_id: str, rating: int, verdict: str) -> None:
    """Record feedback on a proposal of this owner and stage ProposalRated.

    Feedback adds up: a verdict after a rating (or the other way round) keeps both, so the
    event, whose latest copy is what the recommender counts, always carries the whole of it.
    """
    verdict = verdict.strip().lower()
    if rating and not 1 <= rating <= 5:
        raise AscentError("invalid_argument", "A rating is a whole number from 1 to 5.")
    if verdict and verdict not in VERDICTS:
        raise AscentError("invalid_argument", "The verdict is either accepted or rejected.")
    if not rating and not verdict:
        raise AscentError("invalid_argument", "Give a rating (1-5), a verdict, or both.")
    proposal = CoachRepository(session).get_proposal(proposal_id) if proposal_id else None
    if proposal is None or proposal.owner_id != owner_id:
        raise AscentError("not_found", "Proposal not found.")
    proposal.rating = rating or proposal.rating or 0
    proposal.verdict = verdict or proposal.verdict or ""
    proposal.rated_at = utcnow()
    enqueue(
        session,
        PRODUCER,
        events.PROPOSAL_RATED,
        coach_pb2.ProposalRated(
            proposal_id=proposal.id,
            run_id=proposal.run_id,
            owner_id=proposal.owner_id,
            rating=proposal.rating,
            verdict=proposal.verdict,
            engine=proposal.engine,
            pipeline_keys=json.loads(proposal.pipeline_keys_json or "[]"),
        ),
    )


ANSWER = "answer"
SOCRATIC = "socratic"
MODES = (ANSWER, SOCRATIC)


def resolve_mode(mode: str) -> str:
    mode = mode.strip().lower() or ANSWER
    if mode not in MODES:
        raise AscentError(
            "invalid_argument", f"Unknown coaching mode {mode!r}: use one of {MODES}."
        )
    return mode


def socratic_steps(improvement: Improvement) -> list[tuple[str, str]]:
    """Guiding questions and hints alternate, from general to specific; the answer is last."""
    steps: list[tuple[str, str]] = []
    questions, hints = improvement.questions, improvement.hints
    for index in range(max(len(questions), len(hints))):
        if index < len(questions):
            steps.append(("question", questions[index]))
        if index < len(hints):
            steps.append(("hint", hints[index]))
    answer = f"Proposed experiment: {improvement.name}."
    if improvement.rationale:
        answer += f" {improvement.rationale}"
    steps.append(("answer", answer))
    return steps
