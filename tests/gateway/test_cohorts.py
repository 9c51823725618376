"""Cohorts and dashboard access in the real gateway (real NATS; no peer services, so calls
that need progress or analytics answer 503 — which also proves the role checks run first)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ascent.events.v1 import gateway_pb2
from sqlalchemy import insert

from services.common.db import utcnow
from services.common.outbox import outbox
from tests.gateway.conftest import bearer, browser_login, form_login
from tests.support.harness import event_bus, stream_events
from tests.support.nats_server import NatsServer
from tests.support.polling import wait_until

ROLES = {"staff": {"teach": "instructor", "teach2": "instructor", "boss": "admin"}}


async def test_cohorts_roles_join_codes_and_events(
    make_gateway: Callable[..., Any], nats_server: NatsServer
) -> None:
    async with make_gateway(**ROLES) as gwt:
        client = gwt.client
        teach = await bearer(client, "teach")
        teach2 = await bearer(client, "teach2")
        boss = await bearer(client, "boss")
        ada = await bearer(client, "ada")
        roles = {}
        for name, headers in (("teach", teach), ("boss", boss), ("ada", ada)):
            roles[name] = (await client.get("/api/me", headers=headers)).json()["data"]["role"]
        assert roles == {"teach": "instructor", "boss": "admin", "ada": "learner"}

        assert (
            await client.post("/api/cohorts", json={"name": "x"}, headers=ada)
        ).status_code == 403
        blank = await client.post("/api/cohorts", json={"name": "  "}, headers=teach)
        assert blank.status_code == 400
        created = await client.post("/api/cohorts", json={"name": "ML 101"}, headers=teach)
        assert created.status_code == 201, created.text
        cohort = created.json()["data"]
        code = cohort["joinCode"]
        assert len(code) == 8 and cohort["isInstructor"] is True

        # Codes are forgiving about case and spacing; joining twice is harmless.
        typed = f" {code[:4].lower()} {code[4:]} "
        joined = await client.post("/api/cohorts/join", json={"code": typed}, headers=ada)
        assert joined.status_code == 200, joined.text
        assert joined.json()["data"] == {
            "id": cohort["id"],
            "name": "ML 101",
            "createdAt": cohort["createdAt"],
            "isInstructor": False,
        }
        again = await client.post("/api/cohorts/join", json={"code": code}, headers=ada)
        assert again.status_code == 200
        wrong = await client.post("/api/cohorts/join", json={"code": "NOPE2345"}, headers=ada)
        assert wrong.status_code == 404 and "join code" in wrong.json()["error"]["message"]
        own = await client.post("/api/cohorts/join", json={"code": code}, headers=teach)
        assert own.status_code == 409

        async def names(headers: dict[str, str]) -> list[str]:
            response = await client.get("/api/cohorts", headers=headers)
            assert response.status_code == 200
            return [c["name"] for c in response.json()["data"]]

        assert await names(teach) == ["ML 101"]
        assert await names(ada) == ["ML 101"]
        assert await names(teach2) == []
        assert await names(boss) == ["ML 101"]
        listed = (await client.get("/api/cohorts", headers=ada)).json()["data"][0]
        assert "joinCode" not in listed, "learners never see the join code"
        # Someone outside the cohort cannot even see it exists.
        outsider = await bearer(client, "bob")
        assert (
            await client.get(f"/api/cohorts/{cohort['id']}", headers=outsider)
        ).status_code == 404

        # Assignments: instructors of the cohort only; bad dates are clear 400s.
        url = f"/api/cohorts/{cohort['id']}/assignments"
        body = {"challenge": "iris-first-model", "dueAt": "2026-12-31"}
        assert (await client.post(url, json=body, headers=ada)).status_code == 403
        assert (await client.post(url, json=body, headers=teach2)).status_code == 404
        bad = await client.post(url, json={**body, "dueAt": "next week"}, headers=teach)
        assert bad.status_code == 400 and "due date" in bad.json()["error"]["message"]
        # The catalog lives in progress, which is down here: no half-made assignment.
        assert (await client.post(url, json=body, headers=teach)).status_code == 503

        async with event_bus(nats_server.url) as bus:

            async def published() -> bool:
                found = await stream_events(bus, "gateway.>")
                return len([m for m in found if isinstance(m, gateway_pb2.CohortJoined)]) == 1

            await wait_until(published, what="cohort events published")
            found = await stream_events(bus, "gateway.>")
        created_events = [m for m in found if isinstance(m, gateway_pb2.CohortCreated)]
        joined_events = [m for m in found if isinstance(m, gateway_pb2.CohortJoined)]
        assert [(e.cohort_id, e.name) for e in created_events] == [(cohort["id"], "ML 101")]
        assert [(e.cohort_id, e.learner_id) for e in joined_events] == [
            (cohort["id"], joined_events[0].learner_id)
        ]
        assert not [m for m in found if isinstance(m, gateway_pb2.AssignmentCreated)]


async def test_dashboard_and_platform_access_rules(make_gateway: Callable[..., Any]) -> None:
    async with make_gateway(**ROLES) as gwt:
        client = gwt.client
        teach = await bearer(client, "teach")
        teach2 = await bearer(client, "teach2")
        boss = await bearer(client, "boss")
        ada = await bearer(client, "ada")
        cohort = (await client.post("/api/cohorts", json={"name": "A"}, headers=teach)).json()
        cohort_id = cohort["data"]["id"]
        dashboard = "/api/analytics/dashboard"

        learner = await client.get(dashboard, params={"cohort": cohort_id}, headers=ada)
        assert learner.status_code == 403
        assert (await client.get(f"{dashboard}/activity.csv", headers=ada)).status_code == 403
        other = await client.get(dashboard, params={"cohort": cohort_id}, headers=teach2)
        assert other.status_code == 403 and "own cohorts" in other.json()["error"]["message"]
        missing = await client.get(dashboard, headers=teach)
        assert missing.status_code == 400
        # Allowed: the request reaches the analytics service (down in this test: 503).
        assert (
            await client.get(dashboard, params={"cohort": cohort_id}, headers=teach)
        ).status_code == 503
        assert (await client.get(dashboard, headers=boss)).status_code == 503

        for headers in (ada, teach):
            assert (await client.get("/api/analytics/platform", headers=headers)).status_code == 403
        assert (await client.get("/api/analytics/platform", headers=boss)).status_code == 503


async def test_pages_hide_dashboards_from_learners(make_gateway: Callable[..., Any]) -> None:
    async with make_gateway(**ROLES) as gwt:
        learner = gwt.new_client()
        await browser_login(learner, "ada")
        page = await learner.get("/cohorts")
        assert page.status_code == 200 and "Join code" in page.text
        assert 'href="/dashboards"' not in page.text
        for url in ("/dashboards", "/platform", "/dashboards/events"):
            response = await learner.get(url)
            assert response.status_code == 403, url

        teacher = gwt.new_client()
        await form_login(teacher, "teach")
        page = await teacher.get("/cohorts")
        assert 'href="/dashboards"' in page.text and 'href="/platform"' not in page.text
        assert (await teacher.get("/platform")).status_code == 403
        dash = await teacher.get("/dashboards")
        assert dash.status_code == 200 and "no cohort yet" in dash.text

        admin = gwt.new_client()
        await form_login(admin, "boss")
        platform = await admin.get("/platform")
        assert platform.status_code == 200 and "Consumer lag" in platform.text
        assert "0 in all" in platform.text and "unreachable" in platform.text  # peers down
        # A dead letter in the gateway's own outbox: the page shows its count and the newest.
        with gwt.gw.relay.db.engine.begin() as conn:
            conn.execute(
                insert(outbox).values(
                    producer="gateway",
                    event_id="dead-one",
                    subject="learning.session.created.v1",
                    payload=b"",
                    headers="{}",
                    created_at=utcnow(),
                    attempts=20,
                    dead_at=utcnow(),
                    last_error="over max_payload",
                )
            )
        platform = await admin.get("/platform")
        assert "1 in all" in platform.text
        assert "<code>dead-one</code>" in platform.text and "over max_payload" in platform.text
        await learner.aclose()
        await teacher.aclose()
        await admin.aclose()


async def test_cohort_page_degrades_while_progress_is_down(
    make_gateway: Callable[..., Any],
) -> None:
    async with make_gateway(**ROLES) as gwt:
        client = gwt.client
        teach = await bearer(client, "teach")
        ada = await bearer(client, "ada")
        cohort = (await client.post("/api/cohorts", json={"name": "A"}, headers=teach)).json()
        code = cohort["data"]["joinCode"]
        assert (
            await client.post("/api/cohorts/join", json={"code": code}, headers=ada)
        ).status_code == 200
        detail = await client.get(f"/api/cohorts/{cohort['data']['id']}", headers=teach)
        assert detail.status_code == 200, detail.text
        data = detail.json()["data"]
        assert data["memberCount"] == 1 and data["members"][0]["name"] == "ada"
        assert data["joinCode"] == code and data["assignments"] == []


async def test_cohort_members_are_shown_by_their_chosen_display_name(
    make_gateway: Callable[..., Any],
) -> None:
    """Instructors see members as the boards do: a chosen display name, never the username."""
    async with make_gateway(**ROLES) as gwt:
        client = gwt.client
        teach = await bearer(client, "teach")
        ada = await bearer(client, "ada")
        zed = await bearer(client, "zed")
        cohort = (await client.post("/api/cohorts", json={"name": "A"}, headers=teach)).json()
        for learner in (ada, zed):
            joined = await client.post(
                "/api/cohorts/join", json={"code": cohort["data"]["joinCode"]}, headers=learner
            )
            assert joined.status_code == 200
        renamed = await client.patch("/api/me", json={"displayName": "Byron"}, headers=zed)
        assert renamed.status_code == 200, renamed.text
        detail = await client.get(f"/api/cohorts/{cohort['data']['id']}", headers=teach)
        assert [m["name"] for m in detail.json()["data"]["members"]] == ["ada", "Byron"]
        assert "zed" not in detail.text
