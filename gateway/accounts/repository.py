"""Every query of the account tables (users, API tokens)."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from gateway.models import ApiToken, User


def display_name_key(name: str) -> str:
    """What two display names must not share: compatibility-normalised and case-folded, so
    "ÉLODIE", "élodie" (composed or not) and full-width "Ｅｌｏｄｉｅ" are one name. (ASCII
    names keep the key they had before Unicode names were allowed: their casefold.)"""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


class AccountsRepository:
    """Over the caller's session: the unit of work stays the caller's (route or flow)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_user(self, user_id: str) -> User | None:
        return self.session.get(User, user_id)

    def find_user_by_username(self, username: str) -> User | None:
        return self.session.execute(
            select(User).where(User.username_key == username.casefold())
        ).scalar_one_or_none()

    def find_user_by_display_name(self, name: str) -> User | None:
        return self.session.execute(
            select(User).where(User.display_name_key == display_name_key(name))
        ).scalar_one_or_none()

    def public_names(self, user_ids: list[str]) -> dict[str, str]:
        """The name each user shows on boards: their display name, else their username."""
        if not user_ids:
            return {}
        rows = self.session.execute(
            select(User.id, User.username, User.display_name).where(User.id.in_(user_ids))
        )
        return {str(uid): str(display or username) for uid, username, display in rows.all()}

    def add_user(self, user: User) -> User:
        self.session.add(user)
        self.session.flush()
        return user

    def add_token(self, user_id: str, token_hash: str, expires_at: datetime) -> ApiToken:
        token = ApiToken(token_hash=token_hash, user_id=user_id, expires_at=expires_at)
        self.session.add(token)
        self.session.flush()
        return token

    def find_token(self, token_hash: str) -> ApiToken | None:
        return self.session.get(ApiToken, token_hash)

    def delete_expired_tokens(self, user_id: str, now: datetime) -> int:
        result = self.session.execute(
            delete(ApiToken).where(ApiToken.user_id == user_id, ApiToken.expires_at < now)
        )
        # A DELETE answers with a cursor result, the only kind that counts rows.
        return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0
