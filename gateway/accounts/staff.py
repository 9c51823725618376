"""Staff accounts: created by the operator (the supervisor for `make run`), never by
registering a configured name, and roles changed by an admin.

`ASCENT_GATEWAY_STAFF_FILE` names a JSON list of `{"username", "role", "password_file"}`.
At start the gateway creates each missing account with its role and the password read from
`password_file`; an existing account gets the role only if that password logs it in (so an
account someone else registered under the name earlier gets nothing). Everything else is a
learner until an admin sets a role (`PUT /api/admin/users/{username}/role`, `/admin/users`).
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from gateway.accounts.repository import AccountsRepository
from gateway.accounts.views import ROLES
from gateway.models import User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffAccount:
    username: str
    role: str
    password: str


def read_staff_file(path: Path) -> list[StaffAccount]:
    """The accounts of a staff file; a malformed file stops the gateway (ValueError)."""
    entries = json.loads(path.read_text())
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a JSON list of accounts")
    accounts = []
    for entry in entries:
        if not isinstance(entry, dict) or not {"username", "role", "password_file"} <= set(entry):
            raise ValueError(f"{path}: each account needs username, role and password_file")
        role = str(entry["role"])
        if role not in ROLES:
            raise ValueError(f"{path}: unknown role {role!r} (one of {', '.join(ROLES)})")
        secret = Path(str(entry["password_file"]))
        if not secret.is_absolute():
            secret = path.parent / secret
        password = secret.read_text().strip()
        if not password:
            raise ValueError(f"{secret}: empty password")
        accounts.append(StaffAccount(str(entry["username"]), role, password))
    return accounts


def provision(session: Session, hasher: PasswordHasher, account: StaffAccount) -> str:
    """Creates or updates one staff account; what happened ("created", "updated",
    "refused": the name belongs to an account with another password)."""
    repository = AccountsRepository(session)
    user = repository.find_user_by_username(account.username)
    if user is None:
        repository.add_user(
            User(
                id=str(uuid.uuid4()),
                username=account.username,
                username_key=account.username.casefold(),
                role=account.role,
                password_hash=hasher.hash(account.password),
            )
        )
        return "created"
    try:
        hasher.verify(user.password_hash, account.password)
    except (VerificationError, InvalidHashError):
        log.warning(
            "staff account not granted: the name is registered with another password",
            extra={"username": account.username, "role": account.role},
        )
        return "refused"
    repository.set_role(user, account.role)
    return "updated"
