"""Settings shared by every service; each service extends `ServiceSettings` with its own prefix."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.topology import default_addr


def default_data_dir() -> Path:
    return Path.cwd() / ".ascent"


class CommonSettings(BaseSettings):
    """Environment shared by all processes (prefix ASCENT_)."""

    model_config = SettingsConfigDict(env_prefix="ASCENT_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    # One server, or a cluster's servers separated by commas (the client fails over among them).
    nats_url: str = "nats://127.0.0.1:4222"
    # Copies JetStream keeps of the event stream and of the dataset objects: 3 on a 3-node
    # cluster (a node may die without losing an event or a dataset), 1 on a single server.
    nats_replicas: int = 1
    log_level: str = "INFO"
    # Name of the JetStream stream all events go to.
    stream: str = "ASCENT"
    # gRPC addresses of the services (host:port), used by their clients; one field per
    # service of services.common.topology (tests/common/test_topology.py checks it).
    execution_addr: str = default_addr("execution")
    leaderboard_addr: str = default_addr("leaderboard")
    progress_addr: str = default_addr("progress")
    recommender_addr: str = default_addr("recommender")
    coach_addr: str = default_addr("coach")
    analytics_addr: str = default_addr("analytics")
    authoring_addr: str = default_addr("authoring")
    apps_addr: str = default_addr("apps")
    serving_addr: str = default_addr("serving")

    @property
    def datasets_dir(self) -> Path:
        return self.data_dir / "datasets"


class ServiceSettings(BaseSettings):
    """Per-service settings: subclasses set `env_prefix`, e.g. ASCENT_LEADERBOARD_."""

    model_config = SettingsConfigDict(extra="ignore")

    grpc_host: str = "127.0.0.1"
    grpc_port: int = 0
    # SQLAlchemy URL; empty means a SQLite file `<data_dir>/<service>.db`.
    database_url: str = ""
    # Seconds in-flight RPCs get to finish on shutdown.
    shutdown_grace: float = 5.0

    def resolved_database_url(self, service: str, common: CommonSettings) -> str:
        if self.database_url:
            return self.database_url
        common.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{common.data_dir / f'{service}.db'}"
