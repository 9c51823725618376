from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.config import ServiceSettings
from services.common.topology import default_port


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASCENT_RECOMMENDER_", extra="ignore")

    grpc_port: int = default_port("recommender")
    # Known datasets compared with the queried one; the rest are too far to inform it.
    neighbours: int = 5
    default_limit: int = 5
    # Cold-start knowledge (`make priors`: bench/build_priors.py); "" = the bundled
    # services/recommender/priors.json, "none" = start empty.
    priors_path: str = ""
    # Thompson sampling: seed of the draws (unset = random) and spread scale (0 = greedy).
    seed: int | None = None
    explore: float = 1.0
    # Next-challenge advice asks progress for the catalog and the learner's lock state.
    progress_timeout: float = 3.0
