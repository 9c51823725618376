"""Leaderboard settings (env prefix ASCENT_LEADERBOARD_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.config import ServiceSettings
from services.common.topology import default_port


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASCENT_LEADERBOARD_", extra="ignore")

    grpc_port: int = default_port("leaderboard")
    # GetRun(wait_ms) never holds an RPC longer than this, whatever the client asks.
    max_wait_ms: int = 10_000
    poll_interval_ms: int = 50
