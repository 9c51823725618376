"""Accounts API: registration and API tokens (`/api/auth/...`), the caller (`/api/me`) and
their display name."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from gateway import contract
from gateway.accounts import flows
from gateway.accounts.views import Credentials, Registration, TokenView, UserView
from gateway.context import GatewayDep
from gateway.deps import ApiUser
from gateway.views import Data, datetime_iso

auth_router = APIRouter(prefix="/auth", tags=["auth"])
me_router = APIRouter(tags=["progress"])


@auth_router.post("/register", status_code=201)
@contract.raises(409)
async def register(body: Registration, gw: GatewayDep) -> Data[UserView]:
    """Creates a learner account (instructors: see ASCENT_INSTRUCTOR_USERNAMES)."""
    user = await flows.register(gw, body.username, body.password)
    return Data(data=UserView.of(user))


@auth_router.post("/token")
@contract.raises(401)
async def token(body: Credentials, gw: GatewayDep) -> Data[TokenView]:
    """Exchanges username and password for a bearer token (`Authorization: Bearer ...`)."""
    user = await flows.authenticate(gw, body.username, body.password)
    value, expires_at = await flows.issue_token(gw, user)
    view = TokenView(token=value, expiresAt=datetime_iso(expires_at), user=UserView.of(user))
    return Data(data=view)


@me_router.get("/me")
async def me(user: ApiUser) -> Data[UserView]:
    """The authenticated user."""
    return Data(data=UserView.of(user))


class MeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # null or "" clears it (boards show the username again).
    displayName: str | None = Field(max_length=200)


@me_router.patch("/me")
@contract.raises(409)
async def update_me(body: MeUpdate, user: ApiUser, gw: GatewayDep) -> Data[UserView]:
    """Choose the name shown on challenge boards: 2-32 letters, digits, spaces, '-', '_',
    '.'; unique regardless of case. Your username is then never shown to other learners."""
    return Data(data=UserView.of(await flows.set_display_name(gw, user, body.displayName)))


router = APIRouter()
router.include_router(auth_router)
router.include_router(me_router)
