"""Every query of the notebook tables (sessions, their datasets, challenge-session links)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import ChallengeSession, NotebookSession, SessionDataset


class NotebookRepository:
    """Over the caller's session: the unit of work stays the caller's (route or flow)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_notebook(self, notebook: NotebookSession) -> NotebookSession:
        self.session.add(notebook)
        self.session.flush()
        return notebook

    def get_notebook(self, notebook_id: str) -> NotebookSession | None:
        return self.session.get(NotebookSession, notebook_id)

    def latest_notebook(self, owner_id: str) -> NotebookSession | None:
        return self.session.execute(
            select(NotebookSession)
            .where(NotebookSession.owner_id == owner_id)
            .order_by(NotebookSession.updated_at.desc(), NotebookSession.created_at.desc())
            .limit(1)
        ).scalar_one_or_none()

    def list_notebooks(self, owner_id: str, limit: int = 100) -> list[NotebookSession]:
        return list(
            self.session.execute(
                select(NotebookSession)
                .where(NotebookSession.owner_id == owner_id)
                .order_by(NotebookSession.updated_at.desc())
                .limit(limit)
            ).scalars()
        )

    def remember_dataset(self, dataset: SessionDataset) -> None:
        """Records (or renames) a dataset attached to a session."""
        self.session.merge(dataset)
        self.session.flush()

    def datasets_of(self, notebook_id: str) -> list[SessionDataset]:
        return list(
            self.session.execute(
                select(SessionDataset)
                .where(SessionDataset.session_id == notebook_id)
                .order_by(SessionDataset.attached_at)
            ).scalars()
        )

    def get_challenge_link(self, user_id: str, slug: str) -> ChallengeSession | None:
        return self.session.get(ChallengeSession, (user_id, slug))

    def challenge_of_session(self, user_id: str, session_id: str) -> str:
        """The challenge whose notebook this session is ("" for an ordinary notebook)."""
        slug = self.session.scalar(
            select(ChallengeSession.challenge_slug).where(
                ChallengeSession.user_id == user_id, ChallengeSession.session_id == session_id
            )
        )
        return str(slug or "")

    def delete_challenge_link(self, link: ChallengeSession) -> None:
        self.session.delete(link)
        self.session.flush()

    def add_challenge_session(
        self, notebook: NotebookSession, link: ChallengeSession
    ) -> NotebookSession:
        self.session.add(notebook)
        self.session.add(link)
        self.session.flush()
        return notebook
