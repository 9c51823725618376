"""The login throttle: failed logins counted per account and per address, in the gateway's
database (so the count holds across restarts and replicas), refused with 429 + Retry-After.

Policy (fixed windows, settings `ASCENT_GATEWAY_LOGIN_*`):
- per account: `login_account_failures` (10) failures in `login_window_seconds` (15 min)
  lock that username until the window ends, whatever the address; a successful login
  clears the account's count.
- per address: `login_address_failures` (50) failures in the same window lock every login
  from that address (many usernames tried from one place); success does not clear it.
While locked, the password is not even checked: the real password gets the same 429, so a
lock cannot be used to confirm a guess, and a guessing run costs no argon2 time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from gateway.accounts.repository import ThrottleRepository, aware
from services.common.db import utcnow


@dataclass(frozen=True)
class ThrottlePolicy:
    account_failures: int
    address_failures: int
    window_seconds: float


def account_key(username: str) -> str:
    return f"account:{username.strip().casefold()[:140]}"


def address_key(address: str) -> str:
    return f"address:{address[:140]}"


def retry_after(session: Session, policy: ThrottlePolicy, keys: dict[str, int]) -> int | None:
    """Seconds until the first of `keys` (key -> its failure limit) that is locked opens
    again; None when none is locked."""
    now = utcnow()
    window = timedelta(seconds=policy.window_seconds)
    waits = []
    for key, limit in keys.items():
        row = ThrottleRepository(session).get(key)
        if row is None or row.failures < limit:
            continue
        ends = aware(row.window_start) + window
        if ends > now:
            waits.append(math.ceil((ends - now).total_seconds()))
    return max(waits) if waits else None


def limits(policy: ThrottlePolicy, username: str, address: str | None) -> dict[str, int]:
    keys = {account_key(username): policy.account_failures}
    if address:
        keys[address_key(address)] = policy.address_failures
    return keys


def record_failure(session: Session, policy: ThrottlePolicy, keys: dict[str, int]) -> None:
    now = utcnow()
    window = timedelta(seconds=policy.window_seconds)
    for key in keys:
        ThrottleRepository(session).record_failure(key, now, window)


def record_success(session: Session, username: str) -> None:
    ThrottleRepository(session).clear(account_key(username))
