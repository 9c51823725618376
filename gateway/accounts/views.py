"""Views of the accounts domain: the caller (`UserInfo`) and the account request bodies."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from gateway.models import ApiToken, User
from gateway.views import Body, View, checked, datetime_iso

# What each role may do is `gateway.policy`'s answer, never a comparison of role names.
ROLES = ("learner", "instructor", "admin")


class Registration(Body):
    # `flows.validate_username` (after stripping) and `flows.validate_password`.
    username: str = Field(
        max_length=200,
        json_schema_extra=checked(pattern=r"^\s*[A-Za-z0-9][A-Za-z0-9_.-]{2,31}\s*$"),
    )
    password: str = Field(min_length=8, max_length=1024)


class Credentials(Body):
    # Nothing more: a wrong name or password is the one 401 of `flows.authenticate`.
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=4096)


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


class UserView(View):
    """The caller as the API shows them (`/api/me`, registration, token)."""

    id: str
    username: str
    role: str
    displayName: str | None
    publicName: str

    @classmethod
    def of(cls, user: UserInfo) -> UserView:
        return cls(
            id=user.id,
            username=user.username,
            role=user.role,
            displayName=user.display_name,
            publicName=user.public_name,
        )


class TokenView(View):
    token: str
    expiresAt: str
    user: UserView


# A token is listed by the first characters of its sha256 (the token itself is never stored).
TOKEN_ID_CHARS = 16


class TokenInfoView(View):
    """One of the caller's API tokens as listed."""

    id: str
    createdAt: str
    expiresAt: str
    # The token this very request authenticated with.
    current: bool

    @classmethod
    def of(cls, row: ApiToken, current: bool) -> TokenInfoView:
        return cls(
            id=row.token_hash[:TOKEN_ID_CHARS],
            createdAt=datetime_iso(row.created_at),
            expiresAt=datetime_iso(row.expires_at),
            current=current,
        )
