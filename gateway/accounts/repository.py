"""Every query of the account tables (users, API tokens)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.engine import Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.models import ApiToken, AuthThrottle, BrowserSession, User


def _count(result: Result[tuple[object, ...]]) -> int:
    # A DELETE answers with a cursor result, the only kind that counts rows.
    return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything is stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


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
        return _count(
            self.session.execute(
                delete(ApiToken).where(ApiToken.user_id == user_id, ApiToken.expires_at < now)
            )
        )

    def list_tokens(self, user_id: str, now: datetime) -> list[ApiToken]:
        return list(
            self.session.execute(
                select(ApiToken)
                .where(ApiToken.user_id == user_id, ApiToken.expires_at > now)
                .order_by(ApiToken.created_at.desc())
            ).scalars()
        )

    def delete_token(self, user_id: str, token_hash: str) -> int:
        return _count(
            self.session.execute(
                delete(ApiToken).where(
                    ApiToken.user_id == user_id, ApiToken.token_hash == token_hash
                )
            )
        )

    def delete_token_by_prefix(self, user_id: str, prefix: str) -> int:
        """The token whose hash starts with `prefix` (its public id), if it is the user's."""
        return _count(
            self.session.execute(
                delete(ApiToken).where(
                    ApiToken.user_id == user_id, ApiToken.token_hash.startswith(prefix)
                )
            )
        )

    def delete_all_tokens(self, user_id: str) -> int:
        return _count(self.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id)))

    # -- browser sessions -----------------------------------------------------------------
    def add_browser_session(self, id_hash: str, user_id: str, expires_at: datetime) -> None:
        self.session.add(BrowserSession(id_hash=id_hash, user_id=user_id, expires_at=expires_at))
        self.session.flush()

    def find_browser_session(self, id_hash: str) -> BrowserSession | None:
        return self.session.get(BrowserSession, id_hash)

    def delete_browser_session(self, id_hash: str) -> int:
        return _count(
            self.session.execute(delete(BrowserSession).where(BrowserSession.id_hash == id_hash))
        )

    def delete_browser_sessions(self, user_id: str, now: datetime | None = None) -> int:
        """Every browser session of the user (with `now`: only the expired ones)."""
        query = delete(BrowserSession).where(BrowserSession.user_id == user_id)
        if now is not None:
            query = query.where(BrowserSession.expires_at < now)
        return _count(self.session.execute(query))

    def staff_users(self) -> list[User]:
        return list(
            self.session.execute(
                select(User).where(User.role != "learner").order_by(User.username_key)
            ).scalars()
        )

    def set_role(self, user: User, role: str) -> User:
        user.role = role
        self.session.flush()
        return user


class ThrottleRepository:
    """Every query of `gateway_auth_throttle`, over the caller's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> AuthThrottle | None:
        return self.session.get(AuthThrottle, key)

    def clear(self, key: str) -> None:
        row = self.get(key)
        if row is not None:
            self.session.delete(row)
            self.session.flush()

    def record_failure(self, key: str, now: datetime, window: timedelta) -> None:
        row = self.get(key)
        if row is None:
            try:
                with self.session.begin_nested():
                    self.session.add(AuthThrottle(key=key, window_start=now, failures=1))
                return
            except IntegrityError:
                # Another replica counted this key's first failure at the same moment.
                row = self.get(key)
                if row is None:
                    return
        if aware(row.window_start) + window <= now:
            row.window_start = now
            row.failures = 1
        else:
            row.failures += 1
        self.session.flush()
