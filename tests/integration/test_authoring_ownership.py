"""Issue 18 §6: any instructor could edit, publish or archive any other's draft. Through the
real stack: a draft is its author's (and the instructors they share it with, and admins')."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.integration.conftest import ADMIN, INSTRUCTORS, login, register

pytestmark = pytest.mark.integration

BASE = "/api/authoring/challenges"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_instructors_edit_only_their_own_or_shared_drafts(api: httpx.Client) -> None:
    author = bearer(login(api, INSTRUCTORS[1]))
    other = bearer(login(api, INSTRUCTORS[2]))
    admin = bearer(login(api, ADMIN))
    title = f"Owned {uuid.uuid4().hex[:6]}"
    created = api.post(BASE, json={"title": title}, headers=author)
    assert created.status_code == 201, created.text
    slug = created.json()["data"]["slug"]
    mine = api.get(f"{BASE}/{slug}", headers=author).json()["data"]
    assert mine["ownerId"] and mine["editorIds"] == []

    def refused_everything(headers: dict[str, str]) -> None:
        attempts: list[tuple[str, str, dict[str, Any]]] = [
            ("GET", f"{BASE}/{slug}", {}),
            ("PATCH", f"{BASE}/{slug}", {"json": {"summary": "mine now"}}),
            ("POST", f"{BASE}/{slug}/dataset", {"files": {"file": ("a.csv", b"a,b\n1,2\n3,4\n")}}),
            ("POST", f"{BASE}/{slug}/validate", {}),
            ("POST", f"{BASE}/{slug}/publish", {}),
            ("POST", f"{BASE}/{slug}/archive", {}),
            ("GET", f"{BASE}/{slug}/export", {}),
        ]
        for method, path, kwargs in attempts:
            response = api.request(method, path, headers=headers, **kwargs)
            assert response.status_code == 403, (method, path, response.text)
        listed = api.get(BASE, headers=headers).json()["data"]
        assert slug not in [c["slug"] for c in listed]

    refused_everything(other)
    assert api.get(f"{BASE}/{slug}", headers=author).json()["data"]["summary"] == ""

    # Shared: the other instructor may edit; sharing further stays the author's.
    learner_name = f"lee{uuid.uuid4().hex[:6]}"
    register(api, learner_name)
    to_learner = api.put(f"{BASE}/{slug}/editors/{learner_name}", headers=author)
    assert to_learner.status_code == 400
    shared = api.put(f"{BASE}/{slug}/editors/{INSTRUCTORS[2]}", headers=author)
    assert shared.status_code == 200, shared.text
    assert len(shared.json()["data"]["editorIds"]) == 1
    edited = api.patch(f"{BASE}/{slug}", json={"summary": "co-written"}, headers=other)
    assert edited.status_code == 200, edited.text
    assert slug in [c["slug"] for c in api.get(BASE, headers=other).json()["data"]]
    reshare = api.put(f"{BASE}/{slug}/editors/{INSTRUCTORS[0]}", headers=other)
    assert reshare.status_code == 403

    unshared = api.delete(f"{BASE}/{slug}/editors/{INSTRUCTORS[2]}", headers=author)
    assert unshared.status_code == 200
    refused_everything(other)

    # Admins may act on every challenge.
    by_admin: Any = api.patch(f"{BASE}/{slug}", json={"summary": "moderated"}, headers=admin)
    assert by_admin.status_code == 200, by_admin.text
    assert slug in [c["slug"] for c in api.get(BASE, headers=admin).json()["data"]]
