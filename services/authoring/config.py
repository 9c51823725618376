"""Authoring settings (env prefix ASCENT_AUTHORING_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.config import ServiceSettings
from services.common.topology import default_port


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASCENT_AUTHORING_", extra="ignore")

    grpc_port: int = default_port("authoring")
    # A validation run (reference solution or starter code) may queue behind learner runs.
    execute_timeout_seconds: float = 180.0
    rpc_timeout_seconds: float = 10.0
    # Largest dataset accepted (the gateway enforces its own, usually smaller, upload limit).
    max_dataset_bytes: int = 20 * 1024 * 1024
    max_dataset_rows: int = 10_000
