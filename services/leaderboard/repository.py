"""Every query of the leaderboard."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.leaderboard.models import ChallengeSubmission, FinalSelection, RunRecord


class RunRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, run_id: str) -> RunRecord | None:
        return self.session.get(RunRecord, run_id)

    def add(self, record: RunRecord) -> None:
        self.session.add(record)
        self.session.flush()

    def list_for_session(self, session_id: str, dataset: str | None = None) -> list[RunRecord]:
        """The session's runs; with `dataset`, only those on that dataset ("" = none)."""
        stmt = select(RunRecord).where(RunRecord.session_id == session_id)
        if dataset is not None:
            stmt = stmt.where(RunRecord.dataset_sha256 == dataset)
        return list(self.session.scalars(stmt))

    def best_of_board(
        self, board_id: str, metric: str | None = None, dataset: str | None = None
    ) -> RunRecord | None:
        """The board's current best scored run (earliest wins a tie); with `metric`, the best
        of the runs scored by that metric only (an R² never beats an accuracy), with
        `dataset` of the runs on that dataset only (runs on other data never compare)."""
        stmt = select(RunRecord).where(
            RunRecord.session_id == board_id, RunRecord.score.is_not(None)
        )
        if metric is not None:
            stmt = stmt.where(RunRecord.metric == metric)
        if dataset is not None:
            stmt = stmt.where(RunRecord.dataset_sha256 == dataset)
        stmt = stmt.order_by(RunRecord.score.desc(), RunRecord.created_at, RunRecord.id).limit(1)
        return self.session.scalars(stmt).first()


class ChallengeRepository:
    """Graded submissions of challenge boards and the learners' final selections."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def submissions(self, board: str, learner_id: str | None = None) -> list[ChallengeSubmission]:
        stmt = select(ChallengeSubmission).where(ChallengeSubmission.challenge_slug == board)
        if learner_id is not None:
            stmt = stmt.where(ChallengeSubmission.learner_id == learner_id)
        return list(self.session.scalars(stmt))

    def selections(self, board: str, learner_id: str | None = None) -> list[FinalSelection]:
        stmt = select(FinalSelection).where(FinalSelection.challenge_slug == board)
        if learner_id is not None:
            stmt = stmt.where(FinalSelection.learner_id == learner_id)
        return list(self.session.scalars(stmt))

    def replace_selection(
        self, board: str, learner_id: str, run_ids: list[str], at: datetime
    ) -> None:
        self.session.execute(
            delete(FinalSelection).where(
                FinalSelection.challenge_slug == board, FinalSelection.learner_id == learner_id
            )
        )
        self.session.add_all(
            FinalSelection(challenge_slug=board, learner_id=learner_id, run_id=r, selected_at=at)
            for r in run_ids
        )
        self.session.flush()
