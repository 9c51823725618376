"""The supervisor's Stack: a taken port is retried on a new one (ephemeral stacks) or fails
loudly (fixed ports), and no child outlives a supervisor killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from services.supervisor.stack import PortConflict, Stack, StackConfig

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def taken_port() -> Iterator[int]:
    """A port some other process listens on (no SO_REUSEPORT, like most servers)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_an_ephemeral_stack_moves_a_child_off_a_taken_port(tmp_path: Path) -> None:
    with taken_port() as nats_port, taken_port() as grpc_port:
        config = StackConfig.ephemeral(tmp_path, services=["leaderboard"], gateway=False)
        config.nats_port = nats_port
        config.grpc_ports["leaderboard"] = grpc_port
        stack = Stack(config)
        try:
            stack.start(timeout=60)
            assert config.nats_port != nats_port
            assert config.grpc_ports["leaderboard"] != grpc_port
            assert stack.healthy("leaderboard")
        finally:
            stack.stop()
    log = (tmp_path / "logs" / "leaderboard.log").read_text()
    assert "address already in use" in log


@contextmanager
def squatting_service() -> Iterator[int]:
    """A port held by another stack's leftover service: it answers health checks SERVING."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=2), options=[("grpc.so_reuseport", 0)]
    )
    health_servicer = health.HealthServicer()
    health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield port
    finally:
        server.stop(None)


def test_a_squatter_answering_health_is_not_taken_for_the_child(tmp_path: Path) -> None:
    # Only the child's own "serving" line (logged after it bound) makes it ready: the
    # squatter's SERVING answer must not, or the stack would send its calls to the squatter.
    with squatting_service() as grpc_port:
        config = StackConfig.ephemeral(tmp_path, services=["leaderboard"], gateway=False)
        config.grpc_ports["leaderboard"] = grpc_port
        stack = Stack(config)
        try:
            stack.start(timeout=60)
            assert config.grpc_ports["leaderboard"] != grpc_port
            assert stack.healthy("leaderboard")
        finally:
            stack.stop()


def test_fixed_ports_fail_loudly_when_taken(tmp_path: Path) -> None:
    with taken_port() as grpc_port:
        config = StackConfig.ephemeral(tmp_path, services=["leaderboard"], gateway=False)
        config.reassign_ports = False
        config.grpc_ports["leaderboard"] = grpc_port
        stack = Stack(config)
        try:
            with pytest.raises(PortConflict, match="address already in use"):
                stack.start(timeout=60)
        finally:
            stack.stop()


SUPERVISOR = """
import json, sys, time
from pathlib import Path
from services.supervisor.stack import Stack, StackConfig
stack = Stack(StackConfig.ephemeral(Path(sys.argv[1]), services=["leaderboard"], gateway=False))
stack.start(timeout=60)
print(json.dumps({name: c.proc.pid for name, c in stack.children.items()}), flush=True)
time.sleep(600)
"""


def gone(pid: int) -> bool:
    """Exited (a zombie waiting for its new parent to reap it counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_children_die_with_a_killed_supervisor(tmp_path: Path) -> None:
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    pids: dict[str, int] = {}
    try:
        assert supervisor.stdout is not None
        pids = json.loads(supervisor.stdout.readline())
        assert set(pids) == {"nats", "leaderboard"}
        assert not any(gone(pid) for pid in pids.values())
        supervisor.send_signal(signal.SIGKILL)
        supervisor.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not all(gone(pid) for pid in pids.values()):
            time.sleep(0.1)
        assert {name: gone(pid) for name, pid in pids.items()} == {
            "nats": True,
            "leaderboard": True,
        }
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
        for pid in pids.values():
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)
