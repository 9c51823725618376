"""Every query of the notebook tables (sessions, challenge-session links). Callers own the
unit of work."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import ChallengeSession, NotebookSession


def add_notebook(session: Session, notebook: NotebookSession) -> NotebookSession:
    session.add(notebook)
    session.flush()
    return notebook


def get_notebook(session: Session, notebook_id: str) -> NotebookSession | None:
    return session.get(NotebookSession, notebook_id)


def latest_notebook(session: Session, owner_id: str) -> NotebookSession | None:
    return session.execute(
        select(NotebookSession)
        .where(NotebookSession.owner_id == owner_id)
        .order_by(NotebookSession.updated_at.desc(), NotebookSession.created_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def list_notebooks(session: Session, owner_id: str, limit: int = 100) -> list[NotebookSession]:
    return list(
        session.execute(
            select(NotebookSession)
            .where(NotebookSession.owner_id == owner_id)
            .order_by(NotebookSession.updated_at.desc())
            .limit(limit)
        ).scalars()
    )


def get_challenge_link(session: Session, user_id: str, slug: str) -> ChallengeSession | None:
    return session.get(ChallengeSession, (user_id, slug))


def delete_challenge_link(session: Session, link: ChallengeSession) -> None:
    session.delete(link)
    session.flush()


def add_challenge_session(
    session: Session, notebook: NotebookSession, link: ChallengeSession
) -> NotebookSession:
    session.add(notebook)
    session.add(link)
    session.flush()
    return notebook
