"""Account pages: login, register, logout and the home redirect."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway import deps
from gateway.accounts import flows
from gateway.accounts.views import ROLES, TokenInfoView, UserInfo
from gateway.context import Gateway, GatewayDep, get_gateway
from gateway.policy import PageRoleManager
from gateway.quotas import RateLimited
from gateway.rendering import redirect, render
from services.common.errors import AscentError

router = APIRouter(include_in_schema=False)


async def _account_form(
    request: Request,
    template: str,
    error: str | None = None,
    status: int = 200,
    username: str = "",
) -> Response:
    browser, fresh = deps.browser_session_for(request)
    if error is None and await deps.user_of(request, browser) is not None:
        return RedirectResponse("/notebook", status_code=303)
    request.state.csrf = browser.csrf
    response = render(
        request,
        template,
        {"error": error, "user": None, "username": username},
        block="form",
        status_code=status,
    )
    if fresh:
        deps.write_browser_session(request, response, browser)
    return response


def client_address(request: Request) -> str | None:
    """The peer's IP for the login throttle (the gateway runs without proxy headers: a proxy
    in front must be trusted explicitly before X-Forwarded-For could be believed)."""
    return request.client.host if request.client is not None else None


async def _account_post(request: Request, template: str) -> tuple[str, str] | Response:
    browser = deps.read_browser_session(request)
    if browser is None or not await deps.csrf_ok(request, browser):
        return await _account_form(
            request, template, "Your form expired; please try again.", status=403
        )
    form = await request.form()
    username = form.get("username")
    password = form.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return await _account_form(request, template, "Enter a username and a password.", 400)
    return username, password


async def _account_submit(
    request: Request, template: str, act: Callable[[str, str], Awaitable[UserInfo]]
) -> Response:
    """The login and register forms: check the form, act, log in or show the form's error."""
    posted = await _account_post(request, template)
    if isinstance(posted, Response):
        return posted
    try:
        user = await act(*posted)
    except AscentError as err:
        # The username stays typed in (the password never comes back).
        refused = await _account_form(
            request, template, err.message, err.http_status, username=posted[0]
        )
        if isinstance(err, RateLimited):
            refused.headers["Retry-After"] = str(err.retry_after)
        return refused
    return await _log_in(request, user)


async def _log_in(request: Request, user: UserInfo) -> Response:
    response = redirect(request, "/notebook")
    # A fresh CSRF token at login: one planted before authentication is worthless after it.
    sid = await flows.start_browser_session(get_gateway(request), user)
    deps.write_browser_session(request, response, deps.new_browser_session(user.id, sid))
    return response


@router.get("/")
async def home(request: Request) -> Response:
    browser = deps.read_browser_session(request)
    if browser is not None and await deps.user_of(request, browser) is not None:
        return RedirectResponse("/notebook", status_code=303)
    return RedirectResponse("/login", status_code=303)


@router.get("/login")
async def login_page(request: Request) -> Response:
    return await _account_form(request, "login.html")


@router.post("/login")
async def login(request: Request, gw: GatewayDep) -> Response:
    address = client_address(request)
    return await _account_submit(
        request, "login.html", lambda u, p: flows.authenticate(gw, u, p, address)
    )


@router.get("/register")
async def register_page(request: Request) -> Response:
    return await _account_form(request, "register.html")


@router.post("/register")
async def register(request: Request, gw: GatewayDep) -> Response:
    return await _account_submit(request, "register.html", lambda u, p: flows.register(gw, u, p))


@router.post("/logout")
async def logout(request: Request, gw: GatewayDep) -> Response:
    """Ends this browser's session server-side (a copy of the cookie is dead too)."""
    browser = deps.read_browser_session(request)
    if browser is not None and browser.sid is not None:
        await deps.require_csrf(request, browser)
        await flows.end_browser_session(gw, browser.sid)
    response = redirect(request, "/login")
    deps.clear_browser_session(request, response)
    return response


@router.post("/logout/everywhere")
async def logout_everywhere(request: Request, user: deps.PageUser, gw: GatewayDep) -> Response:
    """Ends every browser session and revokes every API token of the user."""
    await flows.log_out_everywhere(gw, user)
    response = redirect(request, "/login")
    deps.clear_browser_session(request, response)
    return response


async def _account_page(
    request: Request, user: UserInfo, gw: Gateway, notice: str | None = None
) -> Response:
    rows = await flows.list_tokens(gw, user)
    context = {
        "user": user,
        "active": "profile",
        "tokens": [TokenInfoView.of(row, current=False) for row in rows],
        "notice": notice,
    }
    return render(request, "account.html", context, block="security")


@router.get("/account")
async def account_page(request: Request, user: deps.PageUser, gw: GatewayDep) -> Response:
    """The user's API tokens (revoke one) and "log out everywhere"; the profile page loads
    its block."""
    return await _account_page(request, user, gw)


@router.post("/account/tokens/{token_id}/revoke")
async def revoke_token(
    request: Request, token_id: str, user: deps.PageUser, gw: GatewayDep
) -> Response:
    await flows.revoke_token(gw, user, token_id)
    return await _account_page(request, user, gw, notice="Token revoked.")


async def _roles_page(
    request: Request,
    user: UserInfo,
    gw: Gateway,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "user": user,
        "active": "roles",
        "roles": ROLES,
        "staff": await flows.list_staff(gw),
        "notice": notice,
        "error": error,
    }
    return render(request, "admin_users.html", context, block="roles", status_code=status)


@router.get("/admin/users")
async def roles_page(request: Request, user: PageRoleManager, gw: GatewayDep) -> Response:
    """Admins: the staff list and a form to give any user a role."""
    return await _roles_page(request, user, gw)


@router.post("/admin/users")
async def set_role(request: Request, user: PageRoleManager, gw: GatewayDep) -> Response:
    form = await request.form()
    username, role = form.get("username"), form.get("role")
    if not isinstance(username, str) or not isinstance(role, str):
        return await _roles_page(
            request, user, gw, error="Enter a username and a role.", status=400
        )
    try:
        changed = await flows.set_role(gw, user, username, role)
    except AscentError as err:
        return await _roles_page(request, user, gw, error=err.message, status=err.http_status)
    return await _roles_page(request, user, gw, notice=f"{changed.username} is now {changed.role}.")
