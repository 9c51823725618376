"""Apps settings (env prefix ASCENT_APPS_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.config import ServiceSettings
from services.common.topology import default_port


def default_catalog() -> Path:
    # The repository's curriculum/apps.yaml (the package is installed editable).
    return Path(__file__).resolve().parents[2] / "curriculum" / "apps.yaml"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASCENT_APPS_", extra="ignore")

    grpc_port: int = default_port("apps")
    catalog: Path = Field(default_factory=default_catalog)
    # Wall time of an app's program in the sandbox (execution caps it with its own limit).
    wall_seconds: float = 60.0
    # The longest an Execute stream may last before the analysis fails as unavailable.
    execute_timeout: float = 120.0
    rpc_timeout: float = 5.0
    # Rows an app profiles at most; larger data is sampled (seeded) and the page says so.
    sample_rows: int = 20_000
