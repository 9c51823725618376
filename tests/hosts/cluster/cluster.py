"""A multi-host Ascent on one machine (issue 19): hosts are network namespaces with their own
addresses on a bridge, so every connection between them crosses a real (virtual) network that
a test can cut.

    app    10.77.0.1   this test's own namespace: gateway and every service but execution
    nats1  10.77.0.11  ┐
    nats2  10.77.0.12  ├ a 3-node NATS JetStream cluster (stream and dataset objects R3)
    nats3  10.77.0.13  ┘
    exec1  10.77.0.21  ┐ execution hosts, each with its own data directory (no shared
    exec2  10.77.0.22  ┘ filesystem for datasets: they fetch them from the object store)

Processes in a host namespace are entered with `nsenter --net=/run/netns/NAME` (not
`ip netns exec`, which remounts /sys and hides the cgroups the sandbox needs). Needs root
and iproute2; `tests/hosts/cluster/run.sh` runs the suite in a namespace of its own so the
bridge never touches the machine's network.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common import topology
from services.supervisor.stack import Stack, StackConfig, nats_binary
from tests.support.fullstack import write_staff
from tests.support.polling import eventually

BRIDGE = "asc-br"
APP_IP = "10.77.0.1"
PREFIX = 24
NATS_HOSTS = {"nats1": "10.77.0.11", "nats2": "10.77.0.12", "nats3": "10.77.0.13"}
EXEC_HOSTS = {"exec1": "10.77.0.21", "exec2": "10.77.0.22"}
NATS_PORT, ROUTE_PORT = 4222, 6222
EXECUTION_PORT = topology.default_port("execution")
NETNS_PREFIX = "asc-"


def sh(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, text=True)


def netns(host: str) -> str:
    return f"{NETNS_PREFIX}{host}"


def veth(host: str) -> str:
    return f"v-{host}"


@dataclass
class Process:
    host: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        handle = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            ["nsenter", f"--net=/run/netns/{netns(self.host)}", *self.argv],
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL to the whole process group: a host that dies, not one that shuts down."""
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@dataclass
class Cluster:
    root: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    # The execution hosts to start (a subset of EXEC_HOSTS: the load benchmark compares one
    # host with two).
    exec_hosts: dict[str, str] = field(default_factory=lambda: dict(EXEC_HOSTS))
    nats: dict[str, Process] = field(default_factory=dict)
    executions: dict[str, Process] = field(default_factory=dict)
    app: Stack | None = None

    @property
    def nats_url(self) -> str:
        return ",".join(f"nats://{ip}:{NATS_PORT}" for ip in NATS_HOSTS.values())

    @property
    def execution_addr(self) -> str:
        return "ipv4:" + ",".join(f"{ip}:{EXECUTION_PORT}" for ip in self.exec_hosts.values())

    # -- the network --------------------------------------------------------------------------
    def build_network(self) -> None:
        self.tear_down_network()
        sh("ip", "link", "add", BRIDGE, "type", "bridge")
        sh("ip", "addr", "add", f"{APP_IP}/{PREFIX}", "dev", BRIDGE)
        sh("ip", "link", "set", BRIDGE, "up")
        sh("ip", "link", "set", "lo", "up")
        for host, ip in {**NATS_HOSTS, **EXEC_HOSTS}.items():
            sh("ip", "netns", "add", netns(host))
            sh("ip", "-n", netns(host), "link", "set", "lo", "up")
            sh("ip", "link", "add", veth(host), "type", "veth", "peer", "name", "eth0",
               "netns", netns(host))  # fmt: skip
            sh("ip", "link", "set", veth(host), "master", BRIDGE, "up")
            sh("ip", "-n", netns(host), "addr", "add", f"{ip}/{PREFIX}", "dev", "eth0")
            sh("ip", "-n", netns(host), "link", "set", "eth0", "up")

    def tear_down_network(self) -> None:
        for host in {**NATS_HOSTS, **EXEC_HOSTS}:
            subprocess.run(["ip", "netns", "del", netns(host)], capture_output=True)
        subprocess.run(["ip", "link", "del", BRIDGE], capture_output=True)

    def partition(self, host: str) -> None:
        """Cut the host off from every other (its one link to the bridge goes down)."""
        sh("ip", "link", "set", veth(host), "down")

    def heal(self, host: str) -> None:
        sh("ip", "link", "set", veth(host), "up")

    # -- the hosts ----------------------------------------------------------------------------
    def _env(self, data_dir: Path) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "ASCENT_DATA_DIR": str(data_dir),
                "ASCENT_NATS_URL": self.nats_url,
                "ASCENT_NATS_REPLICAS": "3",
                "ASCENT_LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def start_nats(self) -> None:
        routes = ",".join(f"nats://{ip}:{ROUTE_PORT}" for ip in NATS_HOSTS.values())
        for host, ip in NATS_HOSTS.items():
            store = self.root / host
            store.mkdir(parents=True, exist_ok=True)
            argv = [
                nats_binary(), "-js", "-sd", str(store), "-a", ip, "-p", str(NATS_PORT),
                "-n", host, "--cluster_name", "ascent",
                "--cluster", f"nats://{ip}:{ROUTE_PORT}", "--routes", routes,
            ]  # fmt: skip
            process = Process(host, argv, dict(os.environ), self.root / f"{host}.log")
            process.start()
            self.nats[host] = process

    def start_execution(self, host: str) -> None:
        ip = EXEC_HOSTS[host]
        data_dir = self.root / host
        env = self._env(data_dir)
        env.update(
            {
                "ASCENT_EXECUTION_GRPC_HOST": ip,
                "ASCENT_EXECUTION_GRPC_PORT": str(EXECUTION_PORT),
                # Authored challenges come from the app host's authoring service.
                "ASCENT_AUTHORING_ADDR": f"{APP_IP}:{self._port('authoring')}",
                **self.extra_env,
            }
        )
        process = Process(
            host, [sys.executable, "-m", "services.execution"], env, self.root / f"{host}.log"
        )
        process.start()
        self.executions[host] = process

    def wait_execution(self, host: str, timeout: float = 180) -> None:
        target = f"{EXEC_HOSTS[host]}:{EXECUTION_PORT}"

        def serving() -> bool:
            with grpc.insecure_channel(target) as channel:
                stub = health_pb2_grpc.HealthStub(channel)
                try:
                    reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=2)
                except grpc.RpcError:
                    return False
                return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)

        eventually(serving, timeout=timeout, interval=0.5, what=f"{host} serving")

    def _port(self, service: str) -> int:
        assert self.app is not None
        return self.app.config.grpc_ports[service]

    def start_app(self, staff: dict[str, str]) -> None:
        data_dir = self.root / "app"
        staff_file = write_staff(data_dir, staff)
        services = [name for name in topology.NAMES if name != "execution"]
        config = StackConfig.ephemeral(
            data_dir,
            services=services,
            extra_env={
                "ASCENT_NATS_REPLICAS": "3",
                "ASCENT_EXECUTION_ADDR": self.execution_addr,
                # Execution hosts call authoring: it listens beyond this namespace's loopback.
                "ASCENT_AUTHORING_GRPC_HOST": "0.0.0.0",
                "ASCENT_COOKIE_SECURE": "false",
                "ASCENT_GATEWAY_STAFF_FILE": str(staff_file),
                **self.extra_env,
            },
        )
        config.nats_url = self.nats_url
        self.app = Stack(config)
        self.app.start(timeout=180)

    def start(self, staff: dict[str, str]) -> None:
        self.build_network()
        self.start_nats()
        # The app's ports are chosen before execution starts (execution calls authoring).
        self.start_app(staff)
        for host in self.exec_hosts:
            self.start_execution(host)
        for host in self.exec_hosts:
            self.wait_execution(host)

    def stop(self) -> None:
        for process in self.executions.values():
            process.stop()
        if self.app is not None:
            self.app.stop()
        for process in self.nats.values():
            process.stop()
        self.tear_down_network()

    def runs_on(self, host: str, owner: str | None = None) -> list[str]:
        """The ids of the runs this execution host finished (its `run finished` lines), of
        one learner when `owner` is given."""
        found = []
        for line in self.executions[host].log().splitlines():
            if not line.startswith("{"):
                continue
            entry = json.loads(line)
            if entry.get("msg") == "run finished" and owner in (None, entry.get("owner_id")):
                found.append(str(entry["run_id"]))
        return found


def wait(seconds: float) -> None:
    time.sleep(seconds)
