from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.config import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASCENT_COACH_", extra="ignore")

    grpc_port: int = 50055
    # Improve must answer even when the recommender is slow or down: it falls back to priors.
    recommender_timeout: float = 2.0
    recommendations: int = 5
