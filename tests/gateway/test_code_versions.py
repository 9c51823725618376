"""Optimistic concurrency on a notebook's code (issue 13 item 7): each save names the version
it started from; a save over a newer version is refused with the stored code, never applied."""

from __future__ import annotations

import re

from tests.gateway.conftest import GatewayUnderTest, bearer, browser_login


async def test_api_save_with_a_stale_version_is_refused(gateway: GatewayUnderTest) -> None:
    headers = await bearer(gateway.client, "grace")
    session = (await gateway.client.post("/api/sessions", json={}, headers=headers)).json()["data"]
    url = f"/api/sessions/{session['id']}/code"
    start = session["codeVersion"]

    # Tab one saves from the version both read: accepted, the version goes up.
    first = await gateway.client.put(
        url, json={"code": "print('one')", "version": start}, headers=headers
    )
    assert first.status_code == 200, first.text
    assert first.json()["data"]["codeVersion"] == start + 1
    assert first.headers["ETag"] == f'"{start + 1}"'

    # Tab two saves from the same old version: refused, told what is stored now.
    second = await gateway.client.put(
        url, json={"code": "print('two')", "version": start}, headers=headers
    )
    assert second.status_code == 409, second.text
    error = second.json()["error"]
    assert error["code"] == "conflict"
    assert error["current"] == {
        "code": "print('one')",
        "codeVersion": start + 1,
        "updatedAt": error["current"]["updatedAt"],
    }
    stored = (await gateway.client.get(f"/api/sessions/{session['id']}", headers=headers)).json()
    assert stored["data"]["code"] == "print('one')"

    # The same text again is no conflict; If-Match works like `version`.
    same = await gateway.client.put(
        url, json={"code": "print('one')", "version": start}, headers=headers
    )
    assert same.status_code == 200
    assert same.json()["data"]["codeVersion"] == start + 1
    stale = await gateway.client.put(
        url, json={"code": "print('three')"}, headers={**headers, "If-Match": f'"{start}"'}
    )
    assert stale.status_code == 409
    fresh = await gateway.client.put(
        url, json={"code": "print('three')"}, headers={**headers, "If-Match": f'W/"{start + 1}"'}
    )
    assert fresh.status_code == 200
    assert fresh.json()["data"]["codeVersion"] == start + 2
    bad = await gateway.client.put(
        url, json={"code": "x"}, headers={**headers, "If-Match": "yesterday"}
    )
    assert bad.status_code == 400

    # Without a version an API client overwrites, as before.
    blind = await gateway.client.put(url, json={"code": "print('four')"}, headers=headers)
    assert blind.status_code == 200
    assert blind.json()["data"]["code"] == "print('four')"
    assert blind.json()["data"]["codeVersion"] == start + 3


async def test_page_autosave_over_a_newer_version_gets_the_conflict_banner(
    gateway: GatewayUnderTest,
) -> None:
    client = gateway.client
    csrf = await browser_login(client, "hopper")
    page = await client.get("/notebook", follow_redirects=True)
    notebook_id = re.search(r'data-session-id="([^"]+)"', page.text)
    assert notebook_id is not None
    version = re.search(r'name="version" id="code-version" value="(\d+)"', page.text)
    assert version is not None
    url = f"/notebook/{notebook_id.group(1)}/code"
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf}

    saved = await client.put(
        url, data={"code": "a = 1\n", "version": version.group(1)}, headers=headers
    )
    assert saved.status_code == 200, saved.text
    assert saved.headers["X-Code-Version"] == str(int(version.group(1)) + 1)

    refused = await client.put(
        url, data={"code": "b = 2\n", "version": version.group(1)}, headers=headers
    )
    assert refused.status_code == 409
    assert refused.headers["X-Code-Version"] == saved.headers["X-Code-Version"]
    assert "changed in another tab" in refused.text
    assert "<pre hidden data-theirs>a = 1\n</pre>" in refused.text
    for choice in ("mine", "theirs", "both"):
        assert f'data-conflict-keep="{choice}"' in refused.text

    # Keep both: this text becomes a new notebook; the first keeps the other tab's text.
    copy = await client.post(f"{url}/copy", data={"code": "b = 2\n"}, headers=headers)
    assert copy.status_code == 200
    target = copy.headers["HX-Redirect"]
    assert target.startswith("/notebook/") and notebook_id.group(1) not in target
    copied = await client.get(target)
    assert "b = 2" in copied.text
    assert "(copy)" in copied.text
    original = await client.get(f"/notebook/{notebook_id.group(1)}")
    assert "a = 1" in original.text
