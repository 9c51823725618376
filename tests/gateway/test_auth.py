"""Accounts, bearer tokens, the browser cookie and CSRF."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from gateway.accounts import flows as auth
from gateway.accounts.repository import AccountsRepository
from gateway.config import Settings, load_or_create_secret
from gateway.models import User
from services.common.db import utcnow
from tests.gateway.conftest import (
    PASSWORD,
    GatewayUnderTest,
    bearer,
    browser_login,
    csrf_from,
    form_login,
    register,
    token_for,
)


async def test_register_creates_learner_with_argon2_hash(gateway: GatewayUnderTest) -> None:
    user = await register(gateway.client, "Ada")
    assert user["username"] == "Ada"
    assert user["role"] == "learner"
    assert set(user) == {"id", "username", "role", "displayName", "publicName"}
    with gateway.gw.db.session() as session:
        row = session.execute(select(User).where(User.id == user["id"])).scalar_one()
        assert row.password_hash.startswith("$argon2id$")
        assert PASSWORD not in row.password_hash


async def test_duplicate_username_is_409_case_insensitive(gateway: GatewayUnderTest) -> None:
    await register(gateway.client, "grace")
    response = await gateway.client.post(
        "/api/auth/register", json={"username": "GRACE", "password": "another pass 1"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"username": "shorty", "password": "1234567"}, "at least 8"),
        ({"username": "x", "password": "long enough pw"}, "Username"),
        ({"username": "bad name!", "password": "long enough pw"}, "Username"),
    ],
)
async def test_register_rejects_bad_input_clearly(
    gateway: GatewayUnderTest, body: dict[str, str], fragment: str
) -> None:
    response = await gateway.client.post("/api/auth/register", json=body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]["message"]


async def test_token_and_wrong_password(gateway: GatewayUnderTest) -> None:
    await register(gateway.client, "linus")
    token = await token_for(gateway.client, "LINUS")
    me = await gateway.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["data"]["username"] == "linus"

    wrong = await gateway.client.post(
        "/api/auth/token", json={"username": "linus", "password": "wrong password"}
    )
    unknown = await gateway.client.post(
        "/api/auth/token", json={"username": "nobody", "password": "wrong password"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json(), "the message must not reveal which names exist"
    assert wrong.json()["error"]["code"] == "unauthenticated"


async def test_missing_unknown_and_expired_tokens_are_401(gateway: GatewayUnderTest) -> None:
    user = await register(gateway.client, "barbara")
    assert (await gateway.client.post("/api/sessions", json={})).status_code == 401
    unknown = await gateway.client.post(
        "/api/sessions", json={}, headers={"Authorization": "Bearer asc_nope"}
    )
    assert unknown.status_code == 401
    assert unknown.json()["error"]["code"] == "unauthenticated"
    basic = await gateway.client.get("/api/me", headers={"Authorization": "Basic abc"})
    assert basic.status_code == 401

    expired = "asc_expired-token-for-test"
    with gateway.gw.db.session() as session:
        AccountsRepository(session).add_token(
            user["id"], auth.hash_token(expired), utcnow() - timedelta(seconds=1)
        )
    response = await gateway.client.get("/api/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


async def test_tokens_are_stored_hashed(gateway: GatewayUnderTest) -> None:
    await register(gateway.client, "hopper")
    token = await token_for(gateway.client, "hopper")
    with gateway.gw.db.session() as session:
        assert AccountsRepository(session).find_token(token) is None
        assert AccountsRepository(session).find_token(auth.hash_token(token)) is not None


async def test_registering_a_staff_name_grants_nothing(make_gateway: Callable[..., Any]) -> None:
    """Issue 18: roles went to whoever first registered a configured name. Now staff accounts
    come from the staff file (created at start, with their password), and registration never
    grants a role."""
    async with make_gateway(staff={"prof": "instructor", "chief": "admin"}) as gateway:
        taken = await gateway.client.post(
            "/api/auth/register", json={"username": "Prof", "password": "another pass 1"}
        )
        assert taken.status_code == 409, "the staff account exists before anyone registers"
        assert (await register(gateway.client, "student"))["role"] == "learner"
        headers = {"Authorization": f"Bearer {await token_for(gateway.client, 'prof')}"}
        me = await gateway.client.get("/api/me", headers=headers)
        assert me.json()["data"]["role"] == "instructor"


async def test_a_staff_file_never_hands_a_role_to_someone_elses_account(
    make_gateway: Callable[..., Any],
) -> None:
    async with make_gateway() as gateway:
        squatter = await register(gateway.client, "dean", "squatter pass 31")
    # The operator then configures "dean" as an admin: the existing account, with another
    # password, does not become one.
    async with make_gateway(staff={"dean": "admin"}) as gateway:
        headers = {
            "Authorization": f"Bearer {await token_for(gateway.client, 'dean', 'squatter pass 31')}"
        }
        me = (await gateway.client.get("/api/me", headers=headers)).json()["data"]
        assert me["id"] == squatter["id"]
        assert me["role"] == "learner"


async def test_admin_grants_roles(make_gateway: Callable[..., Any]) -> None:
    async with make_gateway(staff={"root": "admin", "prof": "instructor"}) as gateway:
        client = gateway.client
        admin = await bearer(client, "root")
        prof = await bearer(client, "prof")
        learner = await bearer(client, "newteacher")
        url = "/api/admin/users/newteacher/role"
        for headers in (prof, learner):
            refused = await client.put(url, json={"role": "admin"}, headers=headers)
            assert refused.status_code == 403
        bad = await client.put(url, json={"role": "wizard"}, headers=admin)
        assert bad.status_code == 400
        missing = await client.put(
            "/api/admin/users/nobody/role", json={"role": "instructor"}, headers=admin
        )
        assert missing.status_code == 404
        granted = await client.put(url, json={"role": "instructor"}, headers=admin)
        assert granted.status_code == 200
        assert granted.json()["data"]["role"] == "instructor"
        # The role holds at once for the existing token.
        me = await client.get("/api/me", headers=learner)
        assert me.json()["data"]["role"] == "instructor"
        assert (await client.get("/api/authoring/challenges", headers=learner)).status_code != 403
        staff = (await client.get("/api/admin/users", headers=admin)).json()["data"]
        assert {u["username"]: u["role"] for u in staff} == {
            "newteacher": "instructor",
            "prof": "instructor",
            "root": "admin",
        }
        own = await client.put(
            "/api/admin/users/root/role", json={"role": "learner"}, headers=admin
        )
        assert own.status_code == 409

        # The page: admins only.
        csrf = await form_login(client, "root")
        page = await client.get("/admin/users")
        assert page.status_code == 200
        assert "newteacher" in page.text
        demoted = await client.post(
            "/admin/users",
            data={"username": "newteacher", "role": "learner", "csrf_token": csrf},
        )
        assert "newteacher is now learner" in demoted.text
    async with make_gateway(staff={"prof": "instructor"}) as gateway:
        await form_login(gateway.client, "prof")
        assert (await gateway.client.get("/admin/users")).status_code == 403


async def test_browser_login_cookie_and_csrf(gateway: GatewayUnderTest) -> None:
    client = gateway.client
    login_page = await client.get("/login")
    assert login_page.status_code == 200
    cookie = login_page.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    csrf = csrf_from(login_page.text)
    await register(client, "margaret")

    forged = await client.post("/login", data={"username": "margaret", "password": PASSWORD})
    assert forged.status_code == 403
    wrong = await client.post(
        "/login", data={"username": "margaret", "password": "nope nope", "csrf_token": csrf}
    )
    assert wrong.status_code == 401
    assert "Invalid username or password" in wrong.text
    # The learner keeps what they typed, except the password.
    assert 'name="username" value="margaret"' in wrong.text
    assert "nope nope" not in wrong.text
    ok = await client.post(
        "/login", data={"username": "margaret", "password": PASSWORD, "csrf_token": csrf}
    )
    assert ok.status_code == 303
    assert ok.headers["location"] == "/notebook"

    page = await client.get("/notebook", follow_redirects=True)
    session_csrf = csrf_from(page.text)
    assert session_csrf != csrf, "login issues a fresh CSRF token"

    rejected = await client.post("/api/sessions", json={})
    assert rejected.status_code == 403
    assert rejected.json()["error"]["code"] == "forbidden"
    wrong_token = await client.post("/api/sessions", json={}, headers={"X-CSRF-Token": csrf})
    assert wrong_token.status_code == 403
    accepted = await client.post("/api/sessions", json={}, headers={"X-CSRF-Token": session_csrf})
    assert accepted.status_code == 201
    assert (await client.get("/api/me")).status_code == 200, "safe methods need no CSRF token"

    assert (await client.post("/logout")).status_code == 403
    out = await client.post("/logout", data={"csrf_token": session_csrf})
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    after = await client.get("/notebook")
    assert after.status_code == 303
    assert after.headers["location"] == "/login"


async def test_bearer_requests_need_no_csrf(gateway: GatewayUnderTest) -> None:
    headers = await bearer(gateway.client, "katherine")
    response = await gateway.client.post("/api/sessions", json={}, headers=headers)
    assert response.status_code == 201


async def test_register_page_logs_in(gateway: GatewayUnderTest) -> None:
    await browser_login(gateway.client, "dorothy")
    duplicate = gateway.new_client()
    async with duplicate:
        page = await duplicate.get("/register")
        response = await duplicate.post(
            "/register",
            data={"username": "Dorothy", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        )
    assert response.status_code == 409
    assert "taken" in response.text


async def test_secure_cookie_by_default(make_gateway: Callable[..., Any]) -> None:
    async with make_gateway(cookie_secure=True) as gateway:
        response = await gateway.client.get("/login")
        assert "secure" in response.headers["set-cookie"].lower()


def test_placeholder_secrets_are_rejected() -> None:
    for value in ("changeme", "secret", "x" * 40, "short-but-random-ish"):
        with pytest.raises(ValidationError):
            Settings(secret_key=value)


def test_generated_secret_is_persisted_private(tmp_path: Path) -> None:
    path = tmp_path / "gateway-secret"
    first = load_or_create_secret(path)
    assert load_or_create_secret(path) == first
    assert len(first) >= 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_secret_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASCENT_SECRET_KEY", "changeme")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("ASCENT_SECRET_KEY", "k" * 20 + "0123456789abcdef")
    monkeypatch.setenv("ASCENT_PORT", "8123")
    monkeypatch.setenv("ASCENT_COOKIE_SECURE", "false")
    settings = Settings()
    assert settings.port == 8123
    assert settings.cookie_secure is False


async def test_make_gateway_refuses_unknown_settings(make_gateway: Callable[..., Any]) -> None:
    # A stale or misspelt override would silently test the defaults (it hid stale staff
    # variables once): the helper refuses it.
    with pytest.raises(TypeError, match="instructor_usernames"):
        async with make_gateway(instructor_usernames="prof"):
            pass
