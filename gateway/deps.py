"""Who is calling: the signed browser-session cookie, CSRF, and the user dependencies of
every route (`ApiUser`, `PageUser`).

Two ways in: `Authorization: Bearer <token>` (API clients; tokens are stored as sha256,
expire and can be revoked) or the browser cookie, a signed `{uid, sid, csrf}` payload whose
`sid` names a server-side session (`gateway_browser_sessions`): logout deletes it, so the
cookie stops working at once even if a copy of it survives. Cookie-authenticated requests
that change state must echo the CSRF token (header `X-CSRF-Token` or form field
`csrf_token`); bearer requests are exempt because a browser never attaches them on its own.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature

from gateway import contract
from gateway.accounts.flows import user_for_browser_session, user_for_token
from gateway.accounts.views import UserInfo
from gateway.context import GatewayDep, get_gateway
from services.common.errors import AscentError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class BrowserSession:
    uid: str | None
    csrf: str
    # The server-side session of a logged-in browser (None: anonymous).
    sid: str | None = None


class LoginRequired(Exception):
    """A page needs a logged-in user; rendered as a redirect to /login."""


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
    sid = data.get("sid")
    if not isinstance(uid, str) or not isinstance(sid, str):
        # Anonymous, or a cookie from before server-side sessions: not logged in.
        return BrowserSession(uid=None, csrf=data["csrf"])
    return BrowserSession(uid=uid, csrf=data["csrf"], sid=sid)


def new_browser_session(uid: str | None, sid: str | None = None) -> BrowserSession:
    return BrowserSession(uid=uid, csrf=secrets.token_urlsafe(32), sid=sid)


async def user_of(request: Request, browser: BrowserSession) -> UserInfo | None:
    """The logged-in user of a browser session still live server-side (and matching the
    cookie's uid), else None."""
    if browser.uid is None or browser.sid is None:
        return None
    user = await user_for_browser_session(get_gateway(request), browser.sid)
    return user if user is not None and user.id == browser.uid else None


def write_browser_session(request: Request, response: Response, browser: BrowserSession) -> None:
    gw = get_gateway(request)
    response.set_cookie(
        gw.settings.cookie_name,
        gw.signer.dumps({"uid": browser.uid, "sid": browser.sid, "csrf": browser.csrf}),
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
@contract.authenticates
@contract.raises(401)
@contract.raises_on_unsafe_methods(403)
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
            raise AscentError("unauthenticated", "The token is invalid, revoked or has expired.")
        request.state.bearer = token
        return user
    browser = read_browser_session(request)
    if browser is not None:
        user = await user_of(request, browser)
        if user is not None:
            await require_csrf(request, browser)
            return user
    raise AscentError("unauthenticated", "Authentication required: send a bearer token or log in.")


async def page_user(request: Request, gw: GatewayDep) -> UserInfo:
    """The logged-in browser user of a page; otherwise the page redirects to /login."""
    browser = read_browser_session(request)
    if browser is None:
        raise LoginRequired
    user = await user_of(request, browser)
    if user is None:
        raise LoginRequired
    await require_csrf(request, browser)
    request.state.csrf = browser.csrf
    return user


ApiUser = Annotated[UserInfo, Depends(api_user)]
PageUser = Annotated[UserInfo, Depends(page_user)]
