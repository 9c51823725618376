"""Progress settings (env prefix ASCENT_PROGRESS_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.config import ServiceSettings
from services.common.topology import default_port


def default_curriculum_dir() -> Path:
    # The repository's curriculum/ folder (the package is installed editable).
    return Path(__file__).resolve().parents[2] / "curriculum"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASCENT_PROGRESS_", extra="ignore")

    grpc_port: int = default_port("progress")
    curriculum_dir: Path = Field(default_factory=default_curriculum_dir)
    # How many XP ledger entries GetProgress returns.
    history_limit: int = 20
