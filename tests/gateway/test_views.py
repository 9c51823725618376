"""Typed views: the run view's ranking score, and the live `best` event that names it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import nats
import pytest
from ascent.events.v1 import leaderboard_pb2
from ascent.types.v1 import run_pb2

from gateway.live import page_stream
from gateway.notebook.views import ImprovementView, RunView
from services.common import events
from tests.gateway.conftest import GatewayUnderTest
from tests.gateway.test_notebook_pages import notebook, owner_of, sse_events, wait_subscribed


def _run(**outcome: Any) -> run_pb2.Run:
    run = run_pb2.Run(id="r1", session_id="s1", name="Baseline")
    for name, value in outcome.items():
        setattr(run.outcome, name, value)
    return run


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ({"accuracy": 0.9333, "r2": 0.5}, (0.9333, "accuracy", "Accuracy", "93.3%")),
        ({"r2": 0.8124, "rmse": 3.0}, (0.8124, "r2", "R²", "R² 0.812")),
        # An R² above 1 cannot happen, but one near it must not read as a percentage.
        ({"r2": 0.9999}, (0.9999, "r2", "R²", "R² 1.000")),
        ({}, (None, None, None, "—")),
    ],
)
def test_run_view_carries_its_ranking_score(
    outcome: dict[str, float], expected: tuple[Any, ...]
) -> None:
    view = RunView.of(_run(**outcome))
    assert (view.score, view.scoreMetric, view.scoreLabel, view.scoreText) == expected
    dumped = view.model_dump()
    assert dumped["score"] == expected[0] and dumped["scoreText"] == expected[3]


def test_single_round_improvement_json_has_no_auto_improve_key() -> None:
    run = RunView.of(_run(accuracy=0.9))
    view = ImprovementView.model_validate(
        {
            "mode": "answer",
            "steps": [],
            "notice": "",
            "diagnosis": "d",
            "suggestions": [],
            "improvedExperiment": {"name": "n", "code": "c", "rationale": "r"},
            "improvedRun": run,
            "parentRun": run,
            "proposalId": "p",
            "engine": "builtin",
        }
    )
    assert view.autoImprove is None
    assert "autoImprove" not in view.model_dump()


async def test_best_event_is_described_by_the_server(gateway: GatewayUnderTest) -> None:
    client, nid, _ = await notebook(gateway, "views-best")
    await client.aclose()
    hub = gateway.gw.live
    assert hub is not None
    owner = await owner_of(gateway, nid)

    async def connected() -> bool:
        return False

    async def describe(event: dict[str, Any]) -> dict[str, Any]:
        view = RunView.of(_run(r2=0.8124))
        return {**event, "scoreLabel": view.scoreLabel, "scoreText": view.scoreText}

    stream = page_stream(
        hub, owner, nid, connected, lifetime=10, heartbeat=5, describe_best=describe
    )
    assert (await anext(stream)).startswith("retry:")
    pending = asyncio.ensure_future(anext(stream))
    await wait_subscribed(hub)
    nc = await nats.connect(gateway.common.nats_url)
    try:
        message = leaderboard_pb2.BestAchieved(
            meta=events.new_meta("test"), board_id=nid, run_id="r1", owner_id=owner, score=0.8124
        )
        await nc.publish(events.BEST_ACHIEVED, message.SerializeToString())
        await nc.flush()
        received = await asyncio.wait_for(pending, timeout=10)
    finally:
        await nc.close()
        await stream.aclose()
    name, data = sse_events(received)[0]
    assert name == "best"
    payload = json.loads(data)
    assert payload["runId"] == "r1" and payload["score"] == 0.8124
    assert payload["scoreLabel"] == "R²" and payload["scoreText"] == "R² 0.812"
