"""Every query of the authoring service."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.authoring.models import AuthoredChallenge, ChallengeEditor, ChallengeVersion


class AuthoringRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def challenge(self, slug: str, *, lock: bool = False) -> AuthoredChallenge | None:
        if lock:
            stmt = select(AuthoredChallenge).where(AuthoredChallenge.slug == slug)
            return self.session.scalars(stmt.with_for_update()).first()
        return self.session.get(AuthoredChallenge, slug)

    def challenges(self) -> list[AuthoredChallenge]:
        stmt = select(AuthoredChallenge).order_by(AuthoredChallenge.updated_at.desc())
        return list(self.session.scalars(stmt))

    def version(self, slug: str, version: int) -> ChallengeVersion | None:
        return self.session.get(ChallengeVersion, (slug, version))

    def versions(self, slug: str) -> list[ChallengeVersion]:
        stmt = (
            select(ChallengeVersion)
            .where(ChallengeVersion.slug == slug)
            .order_by(ChallengeVersion.version)
        )
        return list(self.session.scalars(stmt))

    def slugs_like(self, prefix: str) -> set[str]:
        stmt = select(AuthoredChallenge.slug).where(AuthoredChallenge.slug.startswith(prefix))
        return set(self.session.scalars(stmt))

    def editors(self, slug: str) -> list[str]:
        stmt = (
            select(ChallengeEditor.user_id)
            .where(ChallengeEditor.slug == slug)
            .order_by(ChallengeEditor.user_id)
        )
        return list(self.session.scalars(stmt))

    def add_editor(self, slug: str, user_id: str) -> None:
        if self.session.get(ChallengeEditor, (slug, user_id)) is None:
            self.session.add(ChallengeEditor(slug=slug, user_id=user_id))
            self.session.flush()

    def remove_editor(self, slug: str, user_id: str) -> None:
        self.session.execute(
            delete(ChallengeEditor).where(
                ChallengeEditor.slug == slug, ChallengeEditor.user_id == user_id
            )
        )

    def add(self, row: AuthoredChallenge | ChallengeVersion) -> None:
        self.session.add(row)
        self.session.flush()
