"""Every query of the account tables (users, API tokens). Callers own the unit of work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from gateway.models import ApiToken, User


def get_user(session: Session, user_id: str) -> User | None:
    return session.get(User, user_id)


def find_user_by_username(session: Session, username: str) -> User | None:
    return session.execute(
        select(User).where(User.username_key == username.casefold())
    ).scalar_one_or_none()


def find_user_by_display_name(session: Session, name: str) -> User | None:
    return session.execute(
        select(User).where(User.display_name_key == name.casefold())
    ).scalar_one_or_none()


def public_names(session: Session, user_ids: list[str]) -> dict[str, str]:
    """The name each user shows on boards: their display name, else their username."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(User.id, User.username, User.display_name).where(User.id.in_(user_ids))
    )
    return {str(uid): str(display or username) for uid, username, display in rows.all()}


def add_user(session: Session, user: User) -> User:
    session.add(user)
    session.flush()
    return user


def add_token(session: Session, user_id: str, token_hash: str, expires_at: datetime) -> ApiToken:
    token = ApiToken(token_hash=token_hash, user_id=user_id, expires_at=expires_at)
    session.add(token)
    session.flush()
    return token


def find_token(session: Session, token_hash: str) -> ApiToken | None:
    return session.get(ApiToken, token_hash)


def delete_expired_tokens(session: Session, user_id: str, now: datetime) -> int:
    result = session.execute(
        delete(ApiToken).where(ApiToken.user_id == user_id, ApiToken.expires_at < now)
    )
    # A DELETE answers with a cursor result, the only kind that counts rows.
    return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0
