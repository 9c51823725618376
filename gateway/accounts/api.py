"""Accounts API: registration and API tokens (`/api/auth/...`), the caller (`/api/me`) and
their display name."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from gateway import contract, deps
from gateway.accounts import flows
from gateway.accounts.pages import client_address
from gateway.accounts.views import Credentials, Registration, TokenInfoView, TokenView, UserView
from gateway.context import GatewayDep
from gateway.deps import ApiUser
from gateway.policy import ApiRoleManager
from gateway.views import Data, datetime_iso

auth_router = APIRouter(prefix="/auth", tags=["auth"])
me_router = APIRouter(tags=["progress"])


@auth_router.post("/register", status_code=201)
@contract.raises(409)
async def register(body: Registration, gw: GatewayDep) -> Data[UserView]:
    """Creates a learner account (staff roles: the staff file or an admin). The password must
    not be easy to guess (zxcvbn)."""
    user = await flows.register(gw, body.username, body.password)
    return Data(data=UserView.of(user))


@auth_router.post("/token")
@contract.raises(401, 429)
async def token(body: Credentials, request: Request, gw: GatewayDep) -> Data[TokenView]:
    """Exchanges username and password for a bearer token (`Authorization: Bearer ...`).
    Failed attempts are throttled per account and per address: 429 with `Retry-After`."""
    user = await flows.authenticate(gw, body.username, body.password, client_address(request))
    value, expires_at = await flows.issue_token(gw, user)
    view = TokenView(token=value, expiresAt=datetime_iso(expires_at), user=UserView.of(user))
    return Data(data=view)


@auth_router.get("/tokens")
async def list_tokens(request: Request, user: ApiUser, gw: GatewayDep) -> Data[list[TokenInfoView]]:
    """Your unexpired API tokens (never the token itself: an id, when made and when it ends)."""
    current = getattr(request.state, "bearer", None)
    current_hash = flows.hash_token(current) if isinstance(current, str) else None
    rows = await flows.list_tokens(gw, user)
    return Data(data=[TokenInfoView.of(row, row.token_hash == current_hash) for row in rows])


@auth_router.delete("/tokens/{token_id}", status_code=204)
async def revoke_token(token_id: str, user: ApiUser, gw: GatewayDep) -> Response:
    """Revokes one of your API tokens by its id (from `GET /api/auth/tokens`)."""
    await flows.revoke_token(gw, user, token_id)
    return Response(status_code=204)


@auth_router.post("/logout", status_code=204)
async def logout(request: Request, user: ApiUser, gw: GatewayDep) -> Response:
    """Ends what this request authenticated with: the bearer token (revoked), or the
    browser session of the cookie."""
    current = getattr(request.state, "bearer", None)
    if isinstance(current, str):
        await flows.revoke_bearer(gw, user, current)
        return Response(status_code=204)
    browser = deps.read_browser_session(request)
    if browser is not None and browser.sid is not None:
        await flows.end_browser_session(gw, browser.sid)
    response = Response(status_code=204)
    deps.clear_browser_session(request, response)
    return response


@auth_router.post("/logout-everywhere", status_code=204)
async def logout_everywhere(user: ApiUser, gw: GatewayDep) -> Response:
    """Ends every browser session and revokes every API token of yours."""
    await flows.log_out_everywhere(gw, user)
    return Response(status_code=204)


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


admin_router = APIRouter(prefix="/admin", tags=["admin"])


class RoleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str = Field(max_length=20)


@admin_router.get("/users")
async def list_staff(user: ApiRoleManager, gw: GatewayDep) -> Data[list[UserView]]:
    """Admins: every user with a staff role (instructor or admin)."""
    return Data(data=[UserView.of(u) for u in await flows.list_staff(gw)])


@admin_router.put("/users/{username}/role")
async def set_role(
    username: str, body: RoleUpdate, user: ApiRoleManager, gw: GatewayDep
) -> Data[UserView]:
    """Admins: give a user the role learner, instructor or admin (not one's own)."""
    return Data(data=UserView.of(await flows.set_role(gw, user, username, body.role)))


router = APIRouter()
router.include_router(auth_router)
router.include_router(me_router)
router.include_router(admin_router)
