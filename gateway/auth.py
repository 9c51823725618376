"""Accounts, API tokens, the signed browser-session cookie and CSRF.

Two ways in: `Authorization: Bearer <token>` (API clients; tokens are stored as sha256 and
expire) or the browser cookie, a signed `{uid, csrf}` payload. Cookie-authenticated requests
that change state must echo the CSRF token (header `X-CSRF-Token` or form field
`csrf_token`); bearer requests are exempt because a browser never attaches them on its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request, Response
from itsdangerous import BadSignature
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway import repository
from gateway.context import Gateway, GatewayDep, get_gateway
from gateway.models import User
from services.common.db import utcnow
from services.common.errors import AscentError

PASSWORD_MIN = 8
# Argon2 cost grows with input; an unbounded password is a cheap denial of service.
PASSWORD_MAX = 1024
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
TOKEN_PREFIX = "asc_"
ROLES = ("learner", "instructor", "admin")
# Roles that run classes: cohorts and their dashboards.
STAFF_ROLES = frozenset({"instructor", "admin"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


DISPLAY_NAME_MIN = 2
DISPLAY_NAME_MAX = 32
DISPLAY_NAME_RE = re.compile(r"^[A-Za-z0-9 _.\-]+$")


@dataclass(frozen=True)
class UserInfo:
    id: str
    username: str
    role: str
    display_name: str | None = None

    @classmethod
    def of(cls, user: User) -> UserInfo:
        return cls(
            id=user.id, username=user.username, role=user.role, display_name=user.display_name
        )

    @property
    def public_name(self) -> str:
        """What others see on boards: the display name when chosen, else the username."""
        return self.display_name or self.username

    def as_json(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "username": self.username,
            "role": self.role,
            "displayName": self.display_name,
            "publicName": self.public_name,
        }

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class BrowserSession:
    uid: str | None
    csrf: str


class LoginRequired(Exception):
    """A page needs a logged-in user; rendered as a redirect to /login."""


# -- accounts ---------------------------------------------------------------------------------
def validate_username(username: str) -> str:
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise AscentError(
            "invalid_argument",
            "Username must be 3-32 characters: letters, digits, '.', '_' or '-', "
            "starting with a letter or digit.",
        )
    return username


def validate_display_name(name: str) -> str:
    """The cleaned display name (spaces trimmed and collapsed), or a clear 400."""
    cleaned = " ".join(name.split())
    if not DISPLAY_NAME_MIN <= len(cleaned) <= DISPLAY_NAME_MAX:
        raise AscentError(
            "invalid_argument",
            f"A display name must be {DISPLAY_NAME_MIN}-{DISPLAY_NAME_MAX} characters long.",
        )
    if not DISPLAY_NAME_RE.match(cleaned) or not any(ch.isalnum() for ch in cleaned):
        raise AscentError(
            "invalid_argument",
            "A display name may use letters, digits, spaces, '-', '_' and '.', "
            "with at least one letter or digit.",
        )
    return cleaned


async def set_display_name(gw: Gateway, user: UserInfo, name: str | None) -> UserInfo:
    """Sets (or, with None or blank, clears) the caller's display name. Unique
    case-insensitively among display names and other learners' usernames, so a board name
    always points at one learner."""
    cleaned = validate_display_name(name) if name is not None and name.strip() else None
    taken = "That display name is taken; choose another."

    def update(session: Session) -> UserInfo:
        row = repository.get_user(session, user.id)
        if row is None:
            raise AscentError("unauthenticated", "Log in again.")
        if cleaned is not None:
            other = repository.find_user_by_display_name(session, cleaned)
            if other is not None and other.id != row.id:
                raise AscentError("conflict", taken)
            other = repository.find_user_by_username(session, cleaned)
            if other is not None and other.id != row.id:
                raise AscentError("conflict", taken)
        row.display_name = cleaned
        row.display_name_key = cleaned.casefold() if cleaned is not None else None
        session.flush()
        return UserInfo.of(row)

    try:
        return await gw.work(update)
    except IntegrityError:
        # Lost a race with another learner choosing the same name.
        raise AscentError("conflict", taken) from None


def validate_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AscentError(
            "invalid_argument", f"Password must be at least {PASSWORD_MIN} characters long."
        )
    if len(password) > PASSWORD_MAX:
        raise AscentError(
            "invalid_argument", f"Password must be at most {PASSWORD_MAX} characters long."
        )


async def register(gw: Gateway, username: str, password: str) -> UserInfo:
    username = validate_username(username)
    validate_password(password)
    password_hash = await asyncio.to_thread(gw.hasher.hash, password)
    role = gw.settings.role_for(username)

    def create(session: Session) -> UserInfo:
        if repository.find_user_by_username(session, username) is not None:
            raise AscentError("conflict", "That username is taken; choose another.")
        # Someone shows this name on boards: a new account must not look like them.
        if repository.find_user_by_display_name(session, username) is not None:
            raise AscentError("conflict", "That username is taken; choose another.")
        user = repository.add_user(
            session,
            User(
                id=str(uuid.uuid4()),
                username=username,
                username_key=username.casefold(),
                role=role,
                password_hash=password_hash,
            ),
        )
        return UserInfo.of(user)

    try:
        return await gw.work(create)
    except IntegrityError:
        # Lost a race with a concurrent registration of the same name.
        raise AscentError("conflict", "That username is taken; choose another.") from None


_BAD_LOGIN = "Invalid username or password."


async def authenticate(gw: Gateway, username: str, password: str) -> UserInfo:
    """The user for these credentials; one generic message for every failure."""
    if not username or not password or len(password) > PASSWORD_MAX:
        raise AscentError("unauthenticated", _BAD_LOGIN)
    user = await gw.work(lambda s: repository.find_user_by_username(s, username.strip()))
    # Hash even for unknown users so response time does not reveal which names exist.
    stored = user.password_hash if user is not None else _dummy_hash(gw.hasher)
    if not await asyncio.to_thread(_verify, gw.hasher, stored, password) or user is None:
        raise AscentError("unauthenticated", _BAD_LOGIN)
    return UserInfo.of(user)


def _verify(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = id(hasher)
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY[key]


# -- API tokens -------------------------------------------------------------------------------
def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(gw: Gateway, user: UserInfo) -> tuple[str, datetime]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + timedelta(seconds=gw.settings.token_ttl_seconds)

    def store(session: Session) -> None:
        repository.delete_expired_tokens(session, user.id, now)
        repository.add_token(session, user.id, hash_token(token), expires_at)

    await gw.work(store)
    return token, expires_at


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def user_for_token(gw: Gateway, token: str) -> UserInfo | None:
    def lookup(session: Session) -> UserInfo | None:
        row = repository.find_token(session, hash_token(token))
        if row is None or _aware(row.expires_at) <= utcnow():
            return None
        user = repository.get_user(session, row.user_id)
        return UserInfo.of(user) if user is not None else None

    return await gw.work(lookup)


async def user_by_id(gw: Gateway, user_id: str) -> UserInfo | None:
    def lookup(session: Session) -> UserInfo | None:
        user = repository.get_user(session, user_id)
        return UserInfo.of(user) if user is not None else None

    return await gw.work(lookup)


# -- browser session cookie -------------------------------------------------------------------
def read_browser_session(request: Request) -> BrowserSession | None:
    gw = get_gateway(request)
    raw = request.cookies.get(gw.settings.cookie_name)
    if not raw:
        return None
    try:
        data = gw.signer.loads(raw, max_age=gw.settings.session_max_age_seconds)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
        return None
    uid = data.get("uid")
    return BrowserSession(uid=uid if isinstance(uid, str) else None, csrf=data["csrf"])


def new_browser_session(uid: str | None) -> BrowserSession:
    return BrowserSession(uid=uid, csrf=secrets.token_urlsafe(32))


def write_browser_session(request: Request, response: Response, browser: BrowserSession) -> None:
    gw = get_gateway(request)
    response.set_cookie(
        gw.settings.cookie_name,
        gw.signer.dumps({"uid": browser.uid, "csrf": browser.csrf}),
        max_age=gw.settings.session_max_age_seconds,
        httponly=True,
        secure=gw.settings.cookie_secure,
        samesite="lax",
        path="/",
    )


def clear_browser_session(request: Request, response: Response) -> None:
    gw = get_gateway(request)
    response.delete_cookie(
        gw.settings.cookie_name,
        path="/",
        httponly=True,
        secure=gw.settings.cookie_secure,
        samesite="lax",
    )


def browser_session_for(request: Request) -> tuple[BrowserSession, bool]:
    """The visitor's cookie session, or a fresh anonymous one (True: must be written)."""
    existing = read_browser_session(request)
    if existing is not None:
        return existing, False
    return new_browser_session(None), True


async def csrf_ok(request: Request, browser: BrowserSession) -> bool:
    sent = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith(_FORM_TYPES):
        # Starlette caches the parsed form, so the endpoint can still read it.
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return bool(sent) and hmac.compare_digest(str(sent), browser.csrf)


async def require_csrf(request: Request, browser: BrowserSession) -> None:
    if request.method not in SAFE_METHODS and not await csrf_ok(request, browser):
        raise AscentError(
            "forbidden",
            "Missing or invalid CSRF token: reload the page (or send the X-CSRF-Token header).",
        )


# -- dependencies -----------------------------------------------------------------------------
async def api_user(request: Request, gw: GatewayDep) -> UserInfo:
    """The caller of an API route: bearer token first, else the cookie (with CSRF)."""
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AscentError("unauthenticated", "Use 'Authorization: Bearer <token>'.")
        user = await user_for_token(gw, token)
        if user is None:
            raise AscentError("unauthenticated", "The token is invalid or has expired.")
        return user
    browser = read_browser_session(request)
    if browser is not None and browser.uid is not None:
        user = await user_by_id(gw, browser.uid)
        if user is not None:
            await require_csrf(request, browser)
            return user
    raise AscentError("unauthenticated", "Authentication required: send a bearer token or log in.")


async def page_user(request: Request, gw: GatewayDep) -> UserInfo:
    """The logged-in browser user of a page; otherwise the page redirects to /login."""
    browser = read_browser_session(request)
    if browser is None or browser.uid is None:
        raise LoginRequired
    user = await user_by_id(gw, browser.uid)
    if user is None:
        raise LoginRequired
    await require_csrf(request, browser)
    request.state.csrf = browser.csrf
    return user


ApiUser = Annotated[UserInfo, Depends(api_user)]
PageUser = Annotated[UserInfo, Depends(page_user)]
