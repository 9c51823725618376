"""Accounts: registration, password checks, API tokens and display names (no HTTP here:
the cookie and the route dependencies are in `gateway.deps`)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
import unicodedata
import uuid
from datetime import datetime, timedelta
from functools import partial

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.accounts import staff, throttle
from gateway.accounts.passwords import PASSWORD_MAX, check_password
from gateway.accounts.repository import AccountsRepository, aware, display_name_key
from gateway.accounts.views import ROLES, TOKEN_ID_CHARS, UserInfo
from gateway.context import Gateway
from gateway.models import ApiToken, User
from gateway.quotas import RateLimited
from services.common.db import utcnow
from services.common.errors import AscentError

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$")
TOKEN_PREFIX = "asc_"

DISPLAY_NAME_MIN = 2
DISPLAY_NAME_MAX = 32
# Besides letters (any script), combining marks and digits: what names are written with.
DISPLAY_NAME_PUNCTUATION = frozenset(" _.-'")
# More combining marks than this on one letter is stacking ("Zalgo"), not a script's accents.
MAX_MARKS_PER_LETTER = 2
# Scripts whose letters look alike (Latin "a", Cyrillic "а", Greek "α"): a name mixing them
# is how one learner impersonates another on a board.
CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})
DISPLAY_NAME_CHARS = (
    "A display name may use letters, digits, spaces, '-', '_', '.' and \"'\" (letters of "
    "any alphabet, with their accents), with at least one letter or digit."
)


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


def _name_char_allowed(ch: str) -> bool:
    category = unicodedata.category(ch)
    # L*: letters, M*: accents and vowel signs, Nd: digits. Never Cc/Cf (controls, zero-width
    # and direction overrides), symbols, or private-use characters.
    return ch in DISPLAY_NAME_PUNCTUATION or category[0] in "LM" or category == "Nd"


def _script(ch: str) -> str:
    return unicodedata.name(ch, "").split(" ")[0]


def validate_display_name(name: str) -> str:
    """The cleaned display name (NFC, spaces trimmed and collapsed), or a clear 400. Letters
    of any script are welcome ("Élodie Ñúñez", "李小龍"); what would make a board name
    unreadable or misleading is refused."""
    cleaned = unicodedata.normalize("NFC", " ".join(name.split()))
    if not DISPLAY_NAME_MIN <= len(cleaned) <= DISPLAY_NAME_MAX or (
        len(display_name_key(cleaned)) > DISPLAY_NAME_MAX
    ):
        raise AscentError(
            "invalid_argument",
            f"A display name must be {DISPLAY_NAME_MIN}-{DISPLAY_NAME_MAX} characters long.",
        )
    marks = 0
    for index, ch in enumerate(cleaned):
        marks = marks + 1 if unicodedata.category(ch)[0] == "M" else 0
        # A mark belongs on a letter, and only a few on one.
        stray_mark = marks > 0 and (index < marks or not cleaned[index - marks].isalpha())
        if not _name_char_allowed(ch) or stray_mark or marks > MAX_MARKS_PER_LETTER:
            raise AscentError("invalid_argument", DISPLAY_NAME_CHARS)
    if not any(ch.isalnum() for ch in cleaned):
        raise AscentError("invalid_argument", DISPLAY_NAME_CHARS)
    scripts = {_script(ch) for ch in cleaned if ch.isalpha()} & CONFUSABLE_SCRIPTS
    if len(scripts) > 1:
        raise AscentError(
            "invalid_argument",
            "A display name may not mix Latin, Cyrillic and Greek letters (they look alike); "
            "write it in one alphabet.",
        )
    return cleaned


async def set_display_name(gw: Gateway, user: UserInfo, name: str | None) -> UserInfo:
    """Sets (or, with None or blank, clears) the caller's display name. Unique
    case-insensitively among display names and other learners' usernames, so a board name
    always points at one learner."""
    cleaned = validate_display_name(name) if name is not None and name.strip() else None
    taken = "That display name is taken; choose another."

    def update(session: Session) -> UserInfo:
        row = AccountsRepository(session).get_user(user.id)
        if row is None:
            raise AscentError("unauthenticated", "Log in again.")
        if cleaned is not None:
            other = AccountsRepository(session).find_user_by_display_name(cleaned)
            if other is not None and other.id != row.id:
                raise AscentError("conflict", taken)
            other = AccountsRepository(session).find_user_by_username(cleaned)
            if other is not None and other.id != row.id:
                raise AscentError("conflict", taken)
        row.display_name = cleaned
        row.display_name_key = display_name_key(cleaned) if cleaned is not None else None
        session.flush()
        return UserInfo.of(row)

    try:
        return await gw.work(update)
    except IntegrityError:
        # Lost a race with another learner choosing the same name.
        raise AscentError("conflict", taken) from None


async def register(gw: Gateway, username: str, password: str) -> UserInfo:
    username = validate_username(username)
    check_password(password, username)
    password_hash = await asyncio.to_thread(gw.hasher.hash, password)

    def create(session: Session) -> UserInfo:
        if AccountsRepository(session).find_user_by_username(username) is not None:
            raise AscentError("conflict", "That username is taken; choose another.")
        # Someone shows this name on boards: a new account must not look like them.
        if AccountsRepository(session).find_user_by_display_name(username) is not None:
            raise AscentError("conflict", "That username is taken; choose another.")
        user = AccountsRepository(session).add_user(
            User(
                id=str(uuid.uuid4()),
                username=username,
                username_key=username.casefold(),
                # Staff roles come from the staff file or an admin, never from the name.
                role="learner",
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
log = logging.getLogger(__name__)


def _policy(gw: Gateway) -> throttle.ThrottlePolicy:
    return throttle.ThrottlePolicy(
        account_failures=gw.settings.login_account_failures,
        address_failures=gw.settings.login_address_failures,
        window_seconds=gw.settings.login_window_seconds,
    )


async def authenticate(
    gw: Gateway, username: str, password: str, address: str | None = None
) -> UserInfo:
    """The user for these credentials; one generic message for every failure. Throttled per
    account and per `address` (the client's IP): see `gateway.accounts.throttle`."""
    policy = _policy(gw)
    keys = throttle.limits(policy, username or "", address)
    wait = await gw.work(lambda s: throttle.retry_after(s, policy, keys))
    if wait is not None:
        raise RateLimited(
            f"Too many failed logins for this account or from this address; try again in {wait} s.",
            wait,
        )
    user = None
    if username and password and len(password) <= PASSWORD_MAX:
        user = await gw.work(
            lambda s: AccountsRepository(s).find_user_by_username(username.strip())
        )
        # Hash even for unknown users so response time does not reveal which names exist.
        stored = user.password_hash if user is not None else _dummy_hash(gw.hasher)
        if not await asyncio.to_thread(_verify, gw.hasher, stored, password):
            user = None
    if user is None:
        await gw.work(lambda s: throttle.record_failure(s, policy, keys))
        raise AscentError("unauthenticated", _BAD_LOGIN)
    await gw.work(lambda s: throttle.record_success(s, username))
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
        AccountsRepository(session).delete_expired_tokens(user.id, now)
        AccountsRepository(session).add_token(user.id, hash_token(token), expires_at)

    await gw.work(store)
    return token, expires_at


async def user_for_token(gw: Gateway, token: str) -> UserInfo | None:
    def lookup(session: Session) -> UserInfo | None:
        row = AccountsRepository(session).find_token(hash_token(token))
        if row is None or aware(row.expires_at) <= utcnow():
            return None
        user = AccountsRepository(session).get_user(row.user_id)
        return UserInfo.of(user) if user is not None else None

    return await gw.work(lookup)


async def user_by_id(gw: Gateway, user_id: str) -> UserInfo | None:
    def lookup(session: Session) -> UserInfo | None:
        user = AccountsRepository(session).get_user(user_id)
        return UserInfo.of(user) if user is not None else None

    return await gw.work(lookup)


async def list_tokens(gw: Gateway, user: UserInfo) -> list[ApiToken]:
    """The caller's unexpired API tokens, newest first."""
    return await gw.work(lambda s: AccountsRepository(s).list_tokens(user.id, utcnow()))


async def revoke_token(gw: Gateway, user: UserInfo, public_id: str) -> None:
    """Deletes one of the caller's tokens by its id (404 if it is not theirs or not there)."""
    if len(public_id) != TOKEN_ID_CHARS or not all(c in "0123456789abcdef" for c in public_id):
        raise AscentError("not_found", "No such token.")
    deleted = await gw.work(
        lambda s: AccountsRepository(s).delete_token_by_prefix(user.id, public_id)
    )
    if not deleted:
        raise AscentError("not_found", "No such token.")


async def revoke_bearer(gw: Gateway, user: UserInfo, token: str) -> None:
    """Logs an API client out: the token it authenticated with stops working."""
    await gw.work(lambda s: AccountsRepository(s).delete_token(user.id, hash_token(token)))


async def log_out_everywhere(gw: Gateway, user: UserInfo) -> None:
    """Every browser session and every API token of the user stops working."""

    def revoke(session: Session) -> None:
        AccountsRepository(session).delete_browser_sessions(user.id)
        AccountsRepository(session).delete_all_tokens(user.id)

    await gw.work(revoke)


# -- browser sessions -------------------------------------------------------------------------
async def start_browser_session(gw: Gateway, user: UserInfo) -> str:
    """A new server-side session for a login; the returned id goes into the signed cookie."""
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + timedelta(seconds=gw.settings.session_max_age_seconds)

    def store(session: Session) -> None:
        AccountsRepository(session).delete_browser_sessions(user.id, now)
        AccountsRepository(session).add_browser_session(hash_token(session_id), user.id, expires_at)

    await gw.work(store)
    return session_id


async def user_for_browser_session(gw: Gateway, session_id: str) -> UserInfo | None:
    """The user of a live (not logged out, not expired) browser session."""

    def lookup(session: Session) -> UserInfo | None:
        row = AccountsRepository(session).find_browser_session(hash_token(session_id))
        if row is None or aware(row.expires_at) <= utcnow():
            return None
        user = AccountsRepository(session).get_user(row.user_id)
        return UserInfo.of(user) if user is not None else None

    return await gw.work(lookup)


async def end_browser_session(gw: Gateway, session_id: str) -> None:
    await gw.work(lambda s: AccountsRepository(s).delete_browser_session(hash_token(session_id)))


# -- staff and roles --------------------------------------------------------------------------
async def provision_staff(gw: Gateway) -> None:
    """The accounts of ASCENT_GATEWAY_STAFF_FILE, created or given their role (at start)."""
    if gw.settings.staff_file is None:
        return
    accounts = await asyncio.to_thread(staff.read_staff_file, gw.settings.staff_file)
    for account in accounts:
        outcome = await gw.work(partial(staff.provision, hasher=gw.hasher, account=account))
        log.info("staff account", extra={"username": account.username, "outcome": outcome})


async def set_role(gw: Gateway, admin: UserInfo, username: str, role: str) -> UserInfo:
    """An admin (the route checks `manage_roles`) gives `username` a role."""
    if role not in ROLES:
        raise AscentError("invalid_argument", f"Role must be one of: {', '.join(ROLES)}.")

    def update(session: Session) -> UserInfo:
        row = AccountsRepository(session).find_user_by_username(username.strip())
        if row is None:
            raise AscentError("not_found", "No user with that username.")
        if row.id == admin.id and role != row.role:
            # The last admin demoting themselves would leave nobody to undo it.
            raise AscentError("conflict", "Ask another admin to change your own role.")
        return UserInfo.of(AccountsRepository(session).set_role(row, role))

    return await gw.work(update)


async def list_staff(gw: Gateway) -> list[UserInfo]:
    rows = await gw.work(lambda s: AccountsRepository(s).staff_users())
    return [UserInfo.of(row) for row in rows]


async def user_by_username(gw: Gateway, username: str) -> UserInfo | None:
    def lookup(session: Session) -> UserInfo | None:
        user = AccountsRepository(session).find_user_by_username(username.strip())
        return UserInfo.of(user) if user is not None else None

    return await gw.work(lookup)
