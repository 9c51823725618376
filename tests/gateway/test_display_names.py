"""Learner-chosen display names: PATCH /api/me and the profile form; validation, case-blind
uniqueness (also against other learners' usernames), clearing, and the m0005 migration on a
database made before it."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from gateway.accounts.repository import AccountsRepository
from gateway.migrations import m0005_display_names
from tests.gateway.conftest import GatewayUnderTest, bearer, browser_login

HX = {"HX-Request": "true"}


async def patch_name(
    gateway: GatewayUnderTest, headers: dict[str, str], name: object
) -> tuple[int, Any]:
    response = await gateway.client.patch("/api/me", json={"displayName": name}, headers=headers)
    body = response.json()
    return response.status_code, body.get("data") or body.get("error")


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("x", "2-32 characters"),
        ("y" * 33, "2-32 characters"),
        ("Ada <3", "letters, digits"),
        ("-- ..", "at least one letter or digit"),
        ("Ada\x07Bell", "letters of any alphabet"),  # a control character
        ("Ada\u200bLovelace", "letters of any alphabet"),  # zero-width space
        ("Ada\u202eecalevol", "letters of any alphabet"),  # right-to-left override
        ("Ada \U000f0001", "letters of any alphabet"),  # private use
        ("Zo\u0308\u0308\u0308\u0308e", "letters of any alphabet"),  # stacked marks
        ("\u0301Ada", "letters of any alphabet"),  # a mark on nothing
        ("\u0410d\u0430", "mix Latin, Cyrillic and Greek"),  # Cyrillic А and а around a d
    ],
)
async def test_invalid_display_names_are_clear_400s(
    gateway: GatewayUnderTest, name: str, fragment: str
) -> None:
    headers = await bearer(gateway.client, f"dn-bad-{abs(hash(name)) % 10_000}")
    status, error = await patch_name(gateway, headers, name)
    assert status == 400 and error["code"] == "invalid_argument"
    assert fragment in error["message"]
    me = (await gateway.client.get("/api/me", headers=headers)).json()["data"]
    assert me["displayName"] is None  # nothing saved


async def test_set_clear_and_unique_case_insensitively(gateway: GatewayUnderTest) -> None:
    ada = await bearer(gateway.client, "dn-ada")
    bob = await bearer(gateway.client, "dn-bob")
    status, data = await patch_name(gateway, ada, "  Ada   Lovelace ")
    assert status == 200
    assert data["displayName"] == "Ada Lovelace" and data["publicName"] == "Ada Lovelace"
    assert data["username"] == "dn-ada"

    # Another learner: same name in another case, or someone else's username, is refused.
    status, error = await patch_name(gateway, bob, "ada lovelace")
    assert status == 409 and "taken" in error["message"]
    status, error = await patch_name(gateway, bob, "DN-ADA")
    assert status == 409 and "taken" in error["message"]
    # Ada may use her own username in any case, and clearing restores the username.
    status, data = await patch_name(gateway, ada, "DN-Ada")
    assert status == 200 and data["displayName"] == "DN-Ada"
    status, data = await patch_name(gateway, ada, None)
    assert status == 200 and data["displayName"] is None and data["publicName"] == "dn-ada"
    # Freed: Bob may take Ada's old name now.
    status, data = await patch_name(gateway, bob, "Ada Lovelace")
    assert status == 200

    def names(session: Session) -> dict[str, str]:
        ids = [
            u.id
            for u in (
                AccountsRepository(session).find_user_by_username("dn-ada"),
                AccountsRepository(session).find_user_by_username("dn-bob"),
            )
            if u is not None
        ]
        return AccountsRepository(session).public_names(ids)

    assert sorted((await gateway.gw.work(names)).values()) == ["Ada Lovelace", "dn-ada"]


async def test_accented_and_non_latin_names_are_accepted_nfc_and_unique_casefolded(
    gateway: GatewayUnderTest,
) -> None:
    elodie = await bearer(gateway.client, "dn-elodie")
    other = await bearer(gateway.client, "dn-other")
    # Typed decomposed (E + combining acute, as some keyboards send it): stored composed.
    status, data = await patch_name(gateway, elodie, "E\u0301lodie  N\u0303u\u0301n\u0303ez")
    assert status == 200, data
    assert data["displayName"] == "Élodie Ñúñez" == data["publicName"]
    # Same name in another case, composed or not, or in full-width letters: taken.
    for taken in ("ÉLODIE ÑÚÑEZ", "élodie ñúñez", "Ｅ\u0301ｌｏｄｉｅ Ñúñez"):
        status, error = await patch_name(gateway, other, taken)
        assert status == 409 and "taken" in error["message"], taken
    # Other scripts, and the same script's own accents, are names too.
    for name in ("Иван Петров", "李小龍", "नमस्ते", "Zoë O'Neil", "Σωκράτης"):
        status, data = await patch_name(gateway, other, name)
        assert status == 200 and data["displayName"] == name, (name, data)
    # The length rule counts characters, not bytes.
    status, data = await patch_name(gateway, other, "É" * 32)
    assert status == 200
    status, error = await patch_name(gateway, other, "É" * 33)
    assert status == 400 and "2-32 characters" in error["message"]


async def test_registering_a_username_someone_displays_is_refused(
    gateway: GatewayUnderTest,
) -> None:
    cy = await bearer(gateway.client, "dn-cy")
    assert (await patch_name(gateway, cy, "Grace"))[0] == 200
    response = await gateway.client.post(
        "/api/auth/register", json={"username": "grace", "password": "grace shopper 1906"}
    )
    assert response.status_code == 409
    assert "taken" in response.json()["error"]["message"]


async def test_unknown_fields_and_anonymous_callers(gateway: GatewayUnderTest) -> None:
    headers = await bearer(gateway.client, "dn-dee")
    extra = await gateway.client.patch(
        "/api/me", json={"displayName": "Dee", "username": "root"}, headers=headers
    )
    assert extra.status_code in (400, 422)
    anonymous = await gateway.client.patch("/api/me", json={"displayName": "Dee"})
    assert anonymous.status_code == 401


async def test_profile_form_sets_the_name_with_csrf(gateway: GatewayUnderTest) -> None:
    client = gateway.new_client()
    async with contextlib.aclosing(client):
        csrf = await browser_login(client, "dn-eve")
        forged = await client.post("/profile/display-name", data={"display_name": "Eve"})
        assert forged.status_code == 403
        bad = await client.post(
            "/profile/display-name", data={"display_name": "E", "csrf_token": csrf}, headers=HX
        )
        assert bad.status_code == 400 and "2-32 characters" in bad.text
        assert "<html" not in bad.text
        ok = await client.post(
            "/profile/display-name",
            data={"display_name": "Eve Online", "csrf_token": csrf},
            headers=HX,
        )
        assert ok.status_code == 200 and "boards show you as <strong>Eve Online" in ok.text
        # The top bar of every page shows the chosen name.
        page = await client.get("/tracks")
        assert "Eve Online" in page.text


def test_m0005_adds_the_columns_to_a_database_made_before_it(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE gateway_users (id VARCHAR(36) PRIMARY KEY, username VARCHAR(64),"
                " username_key VARCHAR(64) UNIQUE, role VARCHAR(16), password_hash VARCHAR(255),"
                " created_at TIMESTAMP)"
            )
        )
        conn.execute(text("INSERT INTO gateway_users (id, username) VALUES ('u1', 'old')"))
    for _ in range(2):  # idempotent: a second pass finds everything in place
        with engine.begin() as conn:
            m0005_display_names.upgrade(conn)
    inspector = inspect(engine)
    assert {"display_name", "display_name_key"} <= {
        c["name"] for c in inspector.get_columns("gateway_users")
    }
    unique = [
        i
        for i in inspector.get_indexes("gateway_users")
        if i["column_names"] == ["display_name_key"]
    ]
    assert unique and unique[0]["unique"]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO gateway_users (id, username) VALUES ('u2', 'other')"))
        conn.execute(text("UPDATE gateway_users SET display_name_key = 'x' WHERE id = 'u1'"))
    with pytest.raises(Exception, match="UNIQUE"), engine.begin() as conn:
        conn.execute(text("UPDATE gateway_users SET display_name_key = 'x' WHERE id = 'u2'"))
    engine.dispose()
