"""Analytics settings (env prefix ASCENT_ANALYTICS_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.config import ServiceSettings
from services.common.topology import default_port


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASCENT_ANALYTICS_", extra="ignore")

    grpc_port: int = default_port("analytics")
