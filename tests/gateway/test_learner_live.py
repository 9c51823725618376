"""Learner-wide live facts on every page (base.html listens on /events): badges, unlocks and
passes reach only their own learner; one notebook's runs stay on that notebook's stream."""

from __future__ import annotations

import asyncio
import contextlib
import json

import nats
from ascent.events.v1 import learning_pb2, progress_pb2
from ascent.types.v1 import run_pb2
from google.protobuf.message import Message

from gateway.live import page_stream
from services.common import events
from tests.gateway.conftest import GatewayUnderTest, browser_login
from tests.gateway.test_notebook_pages import notebook, owner_of, sse_events, wait_subscribed


async def test_pages_declare_the_learner_stream_only_when_logged_in(
    gateway: GatewayUnderTest,
) -> None:
    anonymous = await gateway.client.get("/login")
    assert "data-live-events" not in anonymous.text
    assert (await gateway.client.get("/events")).status_code in (302, 303, 307)
    client = gateway.new_client()
    async with contextlib.aclosing(client):
        await browser_login(client, "live-ann")
        # No peers run here: the tracks page shows an error, but the shell still listens.
        page = await client.get("/tracks")
        assert page.status_code == 200
        assert 'data-live-events="/events"' in page.text and 'id="toasts"' in page.text
        notebook_page = await client.get("/notebook", follow_redirects=True)
        # Exactly one toast region: the notebook page no longer brings its own.
        assert notebook_page.text.count('id="toasts"') == 1


async def test_learner_stream_carries_only_their_own_learner_wide_facts(
    gateway: GatewayUnderTest,
) -> None:
    client, nid, _ = await notebook(gateway, "live-bea")
    await client.aclose()
    hub = gateway.gw.live
    assert hub is not None
    owner = await owner_of(gateway, nid)

    async def connected() -> bool:
        return False

    stream = page_stream(hub, owner, None, connected, lifetime=10, heartbeat=5)
    assert (await anext(stream)).startswith("retry:")
    pending = asyncio.ensure_future(anext(stream))
    await wait_subscribed(hub)
    run = run_pb2.Run(id="run-live", session_id=nid, owner_id=owner, name="Baseline")
    facts: list[tuple[str, Message]] = [
        # Someone else's unlock, and this learner's notebook run: neither belongs here.
        (
            events.TRACK_UNLOCKED,
            progress_pb2.TrackUnlocked(learner_id="someone-else", track_slug="advanced"),
        ),
        (events.RUN_COMPLETED, learning_pb2.RunCompleted(run=run)),
        (
            events.TRACK_UNLOCKED,
            progress_pb2.TrackUnlocked(
                learner_id=owner, track_slug="intermediate", track_title="Intermediate"
            ),
        ),
        (
            events.CHALLENGE_PASSED,
            progress_pb2.ChallengePassed(
                learner_id=owner,
                challenge_slug="first-classifier",
                challenge_title="Your first classifier",
                metric="accuracy",
                score=0.97,
            ),
        ),
    ]
    nc = await nats.connect(gateway.common.nats_url)
    try:
        for subject, message in facts:
            events.meta_of(message).CopyFrom(events.new_meta("test"))
            await nc.publish(subject, message.SerializeToString())
        await nc.flush()
        first = await asyncio.wait_for(pending, timeout=10)
        second = await asyncio.wait_for(anext(stream), timeout=10)
    finally:
        await nc.close()
        await stream.aclose()
    (name, data), (name2, data2) = sse_events(first)[0], sse_events(second)[0]
    assert (name, json.loads(data)["title"]) == ("unlocked", "Intermediate")
    assert name2 == "passed"
    assert json.loads(data2) == {
        "type": "passed",
        "challenge": "first-classifier",
        "title": "Your first classifier",
        "metric": "accuracy",
        "score": 0.97,
    }
