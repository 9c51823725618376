"""Issue 18 §6: sessions revoked at logout, API tokens listed and revoked, the login
throttle, the password policy and the security headers — through the real gateway app."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from gateway.accounts.passwords import check_password
from gateway.models import AuthThrottle
from gateway.security import CONTENT_SECURITY_POLICY, content_security_policy
from services.common.errors import AscentError
from tests.gateway.conftest import (
    PASSWORD,
    GatewayUnderTest,
    bearer,
    browser_login,
    csrf_from,
    register,
    token_for,
)


def _cookie_jar(client: httpx.AsyncClient) -> dict[str, str]:
    return {cookie.name: str(cookie.value) for cookie in client.cookies.jar}


# -- (a) the session cookie dies at logout ------------------------------------------------------
async def test_old_cookie_and_csrf_are_dead_after_logout(gateway: GatewayUnderTest) -> None:
    client = gateway.client
    csrf = await browser_login(client, "revoked")
    stolen = _cookie_jar(client)
    assert (await client.get("/api/me")).status_code == 200
    out = await client.post("/logout", data={"csrf_token": csrf})
    assert out.status_code == 303

    # Someone kept a copy of the cookie (and its CSRF token) from before the logout.
    async with gateway.new_client() as replay:
        replay.cookies.update(stolen)
        assert (await replay.get("/api/me")).status_code == 401
        created = await replay.post("/api/sessions", json={}, headers={"X-CSRF-Token": csrf})
        assert created.status_code == 401
        page = await replay.get("/notebook")
        assert page.status_code == 303
        assert page.headers["location"] == "/login"


async def test_log_out_everywhere_ends_every_browser_and_token(gateway: GatewayUnderTest) -> None:
    first = gateway.client
    csrf = await browser_login(first, "everywhere")
    headers = {"Authorization": f"Bearer {await token_for(first, 'everywhere')}"}
    async with gateway.new_client() as second:
        page = await second.get("/login")
        await second.post(
            "/login",
            data={
                "username": "everywhere",
                "password": PASSWORD,
                "csrf_token": csrf_from(page.text),
            },
        )
        assert (await second.get("/api/me")).status_code == 200
        assert (await first.get("/api/me", headers=headers)).status_code == 200

        out = await first.post("/logout/everywhere", data={"csrf_token": csrf})
        assert out.status_code == 303
        assert (await second.get("/api/me")).status_code == 401
        assert (await second.get("/api/me", headers=headers)).status_code == 401


async def test_api_logout_ends_the_cookie_session(gateway: GatewayUnderTest) -> None:
    csrf = await browser_login(gateway.client, "apilogout")
    stolen = _cookie_jar(gateway.client)
    response = await gateway.client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    async with gateway.new_client() as replay:
        replay.cookies.update(stolen)
        assert (await replay.get("/api/me")).status_code == 401


# -- (b) API tokens: list, revoke, logout ---------------------------------------------------------
async def test_tokens_are_listed_and_revocable(gateway: GatewayUnderTest) -> None:
    client = gateway.client
    await register(client, "tokens")
    first = {"Authorization": f"Bearer {await token_for(client, 'tokens')}"}
    second_token = await token_for(client, "tokens")
    second = {"Authorization": f"Bearer {second_token}"}

    listed = (await client.get("/api/auth/tokens", headers=first)).json()["data"]
    assert len(listed) == 2
    assert [t["current"] for t in listed].count(True) == 1
    assert all(second_token not in str(t) for t in listed), "a token is never shown again"
    other = next(t for t in listed if not t["current"])

    # Someone else cannot revoke it, nor learn that it exists.
    intruder = await bearer(client, "intruder")
    refused = await client.delete(f"/api/auth/tokens/{other['id']}", headers=intruder)
    assert refused.status_code == 404
    assert (await client.get("/api/me", headers=second)).status_code == 200

    revoked = await client.delete(f"/api/auth/tokens/{other['id']}", headers=first)
    assert revoked.status_code == 204
    gone = await client.get("/api/me", headers=second)
    assert gone.status_code == 401
    assert "revoked" in gone.json()["error"]["message"]
    assert (await client.get("/api/me", headers=first)).status_code == 200
    assert (
        await client.delete(f"/api/auth/tokens/{other['id']}", headers=first)
    ).status_code == 404

    # Logging an API client out revokes the token it used.
    assert (await client.post("/api/auth/logout", headers=first)).status_code == 204
    assert (await client.get("/api/me", headers=first)).status_code == 401


async def test_profile_page_lists_tokens_and_revokes_one(gateway: GatewayUnderTest) -> None:
    client = gateway.client
    csrf = await browser_login(client, "pagetokens")
    token = await token_for(client, "pagetokens")
    profile = await client.get("/profile")
    assert 'hx-get="/account"' in profile.text
    page = await client.get("/account")
    listed = (await client.get("/api/auth/tokens")).json()["data"]
    assert listed[0]["id"] in page.text
    response = await client.post(
        f"/account/tokens/{listed[0]['id']}/revoke", data={"csrf_token": csrf}
    )
    assert response.status_code == 200
    assert "Token revoked" in response.text
    assert listed[0]["id"] not in response.text
    assert (
        await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 401


# -- (d) login throttle ---------------------------------------------------------------------------
async def _wrong(client: httpx.AsyncClient, username: str) -> httpx.Response:
    return await client.post(
        "/api/auth/token", json={"username": username, "password": "not the password 9"}
    )


async def test_guessing_one_account_is_throttled_then_the_real_password_is_refused_too(
    make_gateway: Callable[..., Any],
) -> None:
    async with make_gateway() as gateway:
        await register(gateway.client, "victim")
        statuses = [(await _wrong(gateway.client, "victim")).status_code for _ in range(12)]
        assert statuses[:10] == [401] * 10
        assert statuses[10:] == [429, 429]
        locked = await gateway.client.post(
            "/api/auth/token", json={"username": "victim", "password": PASSWORD}
        )
        assert locked.status_code == 429, "a lock that the right password opens confirms guesses"
        assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
        assert locked.json()["error"]["code"] == "rate_limited"
        # Other accounts from elsewhere are not locked out by it.
        await register(gateway.client, "bystander")
        assert (
            await gateway.client.post(
                "/api/auth/token", json={"username": "bystander", "password": PASSWORD}
            )
        ).status_code == 200
    # The count is in the database: a restarted gateway (or another replica) keeps it.
    async with make_gateway() as restarted:
        again = await restarted.client.post(
            "/api/auth/token", json={"username": "victim", "password": PASSWORD}
        )
        assert again.status_code == 429
        assert "retry-after" in again.headers


async def test_login_form_is_throttled_with_retry_after(make_gateway: Callable[..., Any]) -> None:
    async with make_gateway(login_account_failures=3) as gateway:
        client = gateway.client
        await register(client, "formvictim")
        csrf = csrf_from((await client.get("/login")).text)
        form = {"username": "formvictim", "password": "nope nope 77", "csrf_token": csrf}
        statuses = [(await client.post("/login", data=form)).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        right = await client.post("/login", data={**form, "password": PASSWORD})
        assert right.status_code == 429
        assert int(right.headers["retry-after"]) > 0
        assert "Too many failed logins" in right.text


async def test_many_accounts_from_one_address_are_throttled(
    make_gateway: Callable[..., Any],
) -> None:
    async with make_gateway(login_address_failures=5) as gateway:
        statuses = [(await _wrong(gateway.client, f"spray{i}")).status_code for i in range(7)]
        assert statuses == [401] * 5 + [429, 429]


async def test_the_lock_opens_when_the_window_ends_and_success_clears_it(
    make_gateway: Callable[..., Any],
) -> None:
    async with make_gateway(login_account_failures=2) as gateway:
        client = gateway.client
        await register(client, "patient")
        for _ in range(2):
            assert (await _wrong(client, "patient")).status_code == 401
        locked = await client.post(
            "/api/auth/token", json={"username": "patient", "password": PASSWORD}
        )
        assert locked.status_code == 429
        # The window ends (moved into the past rather than waited for: no timing in tests).
        with gateway.gw.db.session() as session:
            for row in session.scalars(select(AuthThrottle)):
                row.window_start -= timedelta(seconds=gateway.settings.login_window_seconds)
        opened = await client.post(
            "/api/auth/token", json={"username": "patient", "password": PASSWORD}
        )
        assert opened.status_code == 200
        # Success cleared the account's count: two fresh failures are allowed again.
        assert (await _wrong(client, "patient")).status_code == 401
        assert (await _wrong(client, "patient")).status_code == 401
        assert (await _wrong(client, "patient")).status_code == 429


# -- (e) password policy --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "password", ["password", "12345678", " " * 8, "aaaaaaaaaaaa", "qwertyuiop"]
)
async def test_guessable_passwords_are_refused_at_registration(
    gateway: GatewayUnderTest, password: str
) -> None:
    response = await gateway.client.post(
        "/api/auth/register", json={"username": "weakling", "password": password}
    )
    assert response.status_code == 400, password
    message = response.json()["error"]["message"]
    assert "guess" in message or "spaces" in message


def test_password_policy_pieces() -> None:
    for weak in ("password", "12345678", "        ", "Password1", "iloveyou"):
        with pytest.raises(AscentError):
            check_password(weak)
    with pytest.raises(AscentError, match="guess"):
        check_password("margaret1990", "margaret")
    with pytest.raises(AscentError, match="at least 8"):
        check_password("Xq9#")
    with pytest.raises(AscentError, match="at most"):
        check_password("correct horse " * 100)
    # zxcvbn itself refuses more than 72 characters: a long passphrase is scored by its prefix.
    for strong in (PASSWORD, "violet tractor spoon", "T7#kq!vP2m", "violet tractor spoon " * 10):
        check_password(strong, "someone")


# -- (c) security headers -------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/login", "/register", "/api/me", "/healthz", "/nowhere"])
async def test_security_headers_on_every_response(gateway: GatewayUnderTest, path: str) -> None:
    response = await gateway.client.get(path)
    policy = response.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce, policy
    assert policy == content_security_policy(nonce.group(1))
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


async def test_the_nonce_is_fresh_per_response_and_on_the_page(gateway: GatewayUnderTest) -> None:
    first, second = await gateway.client.get("/login"), await gateway.client.get("/login")
    nonces = [
        re.search(r"'nonce-([^']+)'", r.headers["content-security-policy"]) for r in (first, second)
    ]
    assert nonces[0] and nonces[1] and nonces[0].group(1) != nonces[1].group(1)
    assert f'<meta name="csp-nonce" content="{nonces[0].group(1)}">' in first.text


async def test_pages_carry_no_inline_script(gateway: GatewayUnderTest) -> None:
    await browser_login(gateway.client, "inline")
    for path in ("/notebook", "/tracks", "/profile", "/cohorts", "/progress"):
        html = (await gateway.client.get(path, follow_redirects=True)).text
        for fragment in ("hx-on", "onclick=", "onload=", "javascript:"):
            assert fragment not in html, (path, fragment)
        for tag in html.split("<script")[1:]:
            head = tag.split(">", 1)[0]
            assert "src=" in head or 'type="application/json"' in head, (path, head)
