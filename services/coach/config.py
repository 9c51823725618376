from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.config import ServiceSettings
from services.common.topology import default_port


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASCENT_COACH_", extra="ignore")

    grpc_port: int = default_port("coach")
    # Improve must answer even when the recommender is slow or down: it falls back to priors.
    recommender_timeout: float = 2.0
    recommendations: int = 5

    # OpenAI engine (any OpenAI-compatible endpoint): used when a key or a base URL is set;
    # its proposals are validated and fall back to the built-in engine when invalid.
    openai_api_key: str = ""
    openai_base_url: str = ""
    openai_model: str = "gpt-4o-mini"
    openai_timeout: float = 30.0
    # Dry-run every AI proposal in the execution sandbox before it reaches the learner
    # (see validation.py), with this wall-time cap.
    openai_dry_run: bool = True
    dry_run_seconds: float = 60.0

    @property
    def openai_enabled(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)
