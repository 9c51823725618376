"""The fast lane's markers: derived from fixtures, and enforced where processes start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import lanes

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def test_fixtures_imply_their_markers() -> None:
    assert lanes.markers_for(["tmp_path", "gateway", "nats_server"]) == ["nats"]
    assert lanes.markers_for(["page", "browser", "stack"]) == ["browser", "integration"]
    assert lanes.markers_for(["db", "tmp_path"]) == []


def test_a_test_that_uses_nats_is_marked(request: pytest.FixtureRequest) -> None:
    # This test itself uses no such fixture, so the fast lane keeps it.
    assert not {m.name for m in request.node.iter_markers()} & set(lanes.SLOW_MARKERS)


def test_starting_a_process_needs_a_slow_marker() -> None:
    unmarked = ("tests/x.py::test_y", frozenset({"asyncio"}))
    reason = lanes.missing_marker("nats-server", unmarked)
    assert reason is not None
    assert "tests/x.py::test_y starts nats-server but is not marked `nats` or `integration`" in (
        reason
    )
    assert lanes.missing_marker("nats-server", ("t", frozenset({"nats"}))) is None
    assert lanes.missing_marker("service processes", ("t", frozenset({"nats"}))) is not None
    assert lanes.missing_marker("Chromium", ("t", frozenset({"browser"}))) is None
    assert lanes.missing_marker("Chromium", None) is None  # outside pytest (bench scripts)


def test_the_running_test_is_checked() -> None:
    with pytest.raises(pytest.fail.Exception, match="test_the_running_test_is_checked starts"):
        lanes.require("nats-server")


def test_make_test_fast_deselects_every_slow_marker() -> None:
    target = re.search(r"^test-fast:.*\n\t(.*)$", MAKEFILE.read_text(), re.MULTILINE)
    assert target, "Makefile has no test-fast target"
    expression = re.search(r'-m "([^"]*)"', target.group(1))
    assert expression
    assert expression.group(1) == " and ".join(f"not {m}" for m in lanes.SLOW_MARKERS)
