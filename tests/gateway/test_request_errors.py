"""Issue 18 §4: requests that were 500s are clear 4xx answers (or right ones) now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.gateway.conftest import GatewayUnderTest, bearer, form_login

# A lone surrogate: valid JSON, but no valid Unicode (no database, protobuf or UTF-8 reply
# takes it). Written as the raw JSON text a client sends.
LONE_SURROGATE_CODE = b'{"code": "print(\\"\\ud800\\")"}'


async def test_a_lone_surrogate_in_code_is_a_400(gateway: GatewayUnderTest) -> None:
    client = gateway.client
    auth = await bearer(client, "surrogate-learner")
    session = (await client.post("/api/sessions", json={}, headers=auth)).json()["data"]
    headers = {**auth, "Content-Type": "application/json"}

    saved = await client.put(
        f"/api/sessions/{session['id']}/code", content=LONE_SURROGATE_CODE, headers=headers
    )
    assert saved.status_code == 400, saved.text
    assert saved.json()["error"]["code"] == "invalid_argument"
    assert "lone UTF-16 surrogate" in saved.json()["error"]["message"]

    body = b'{"sessionId": "%s", "code": "print(\\"\\ud800\\")"}' % session["id"].encode()
    run = await client.post("/api/runs", content=body, headers=headers)
    assert run.status_code == 400, run.text
    assert "code holds an invalid character at position 7" in run.json()["error"]["message"]

    # The session is untouched and still readable.
    again = await client.get(f"/api/sessions/{session['id']}", headers=auth)
    assert again.status_code == 200 and "\\ud800" not in again.text


async def test_lesson_preview_without_hx_request_is_the_fragment(
    make_gateway: Callable[..., Any],
) -> None:
    async with make_gateway(staff={"prof-preview": "instructor"}) as gateway:
        csrf = await form_login(gateway.client, "prof-preview")
        response = await gateway.client.post(
            "/author/preview",
            data={"lessonMarkdown": "# Title\n\nSome *text*.", "csrf_token": csrf},
        )
        assert response.status_code == 200, response.text[:500]
        assert "<em>text</em>" in response.text
        assert "<html" not in response.text, "a fragment, with or without HX-Request"
