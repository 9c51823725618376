"""The one list of Ascent's gRPC services: name, default port, the env vars that carry their
address, and the peers each one calls.

The supervisor, the gateway's clients, the settings defaults and the tests derive from it;
`tests/common/test_topology.py` checks docker-compose.yml and infra/k8s against it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    grpc_port: int
    # Peers this service calls over gRPC: it needs their address env vars wherever it runs.
    calls: tuple[str, ...] = ()
    # Runs as several replicas behind one name (execution): its clients resolve every address
    # and spread calls with round robin (services/common/rpc.py, channel_options).
    replicated: bool = False

    @property
    def module(self) -> str:
        return f"services.{self.name}"

    @property
    def addr_env(self) -> str:
        """Where every client finds this service (`CommonSettings.<name>_addr`)."""
        return f"ASCENT_{self.name.upper()}_ADDR"

    @property
    def port_env(self) -> str:
        """The port this service listens on (`ServiceSettings.grpc_port`)."""
        return f"ASCENT_{self.name.upper()}_GRPC_PORT"

    @property
    def deployed_addr(self) -> str:
        """The address in docker-compose.yml and infra/k8s: the service's DNS name, asked for
        all its replicas' addresses when it is replicated."""
        addr = f"{self.name}:{self.grpc_port}"
        return f"dns:///{addr}" if self.replicated else addr

    @property
    def default_addr(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"


# Start order: the supervisor starts them in this order and stops them in the reverse one
# (after the gateway). Every peer is connected lazily, so a call cycle (execution fetches
# authored bundles from authoring, authoring runs validations on execution) is no start cycle.
SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("execution", 50051, calls=("authoring",), replicated=True),
    ServiceSpec("leaderboard", 50052),
    ServiceSpec("progress", 50053),
    ServiceSpec("recommender", 50054, calls=("progress",)),
    ServiceSpec("coach", 50055, calls=("recommender", "execution")),
    ServiceSpec("analytics", 50056),
    ServiceSpec("authoring", 50057, calls=("execution", "progress")),
    ServiceSpec("apps", 50058, calls=("execution", "progress")),
    # -- serving (issue 16): reads the run from the leaderboard, exports it on execution --
    ServiceSpec("serving", 50059, calls=("execution", "leaderboard")),
)
NAMES: tuple[str, ...] = tuple(spec.name for spec in SERVICES)
DEFAULT_PORTS: dict[str, int] = {spec.name: spec.grpc_port for spec in SERVICES}
# The gateway is the client of all of them.
GATEWAY_CALLS: tuple[str, ...] = NAMES


def service(name: str) -> ServiceSpec:
    for spec in SERVICES:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown service {name!r}")


def default_port(name: str) -> int:
    return service(name).grpc_port


def default_addr(name: str) -> str:
    return service(name).default_addr
