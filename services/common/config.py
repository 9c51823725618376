"""Settings shared by every service; each service extends `ServiceSettings` with its own prefix."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path.cwd() / ".ascent"


class CommonSettings(BaseSettings):
    """Environment shared by all processes (prefix ASCENT_)."""

    model_config = SettingsConfigDict(env_prefix="ASCENT_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    nats_url: str = "nats://127.0.0.1:4222"
    log_level: str = "INFO"
    # Name of the JetStream stream all events go to.
    stream: str = "ASCENT"
    # gRPC addresses of the services (host:port), used by their clients.
    execution_addr: str = "127.0.0.1:50051"
    leaderboard_addr: str = "127.0.0.1:50052"
    progress_addr: str = "127.0.0.1:50053"
    recommender_addr: str = "127.0.0.1:50054"
    coach_addr: str = "127.0.0.1:50055"
    analytics_addr: str = "127.0.0.1:50056"
    authoring_addr: str = "127.0.0.1:50057"

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
