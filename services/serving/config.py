"""Serving settings (env prefix ASCENT_SERVING_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.config import ServiceSettings
from services.common.topology import default_port


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASCENT_SERVING_", extra="ignore")

    grpc_port: int = default_port("serving")
    # Wall time of the export program (the run's code re-run, then skl2onnx) in the sandbox.
    export_wall_seconds: float = 120.0
    execute_timeout: float = 180.0
    rpc_timeout: float = 10.0
    # Predict: rows per request and the JSON body's size (the gateway refuses larger bodies
    # with 413 before they get here).
    max_rows: int = 1_000
    max_body_bytes: int = 1_000_000
    # Per API key: a token bucket of `rate_burst` requests refilled at `rate_per_second`.
    rate_per_second: float = 100.0
    rate_burst: int = 200
    # The prediction log (for the monitor app): at most this many requests per deployment,
    # none older than the retention; each request keeps at most `log_rows` of its rows.
    log_max_per_deployment: int = 50_000
    log_retention_days: int = 30
    log_rows: int = 100
    # Requests waiting to be written; beyond it, log entries are dropped (and counted), never
    # the predictions.
    log_queue: int = 20_000
    log_flush_seconds: float = 0.5
    # Feedback (true labels of logged predictions, concept drift): labels per request, and
    # at most this many per deployment (none older than `log_retention_days`).
    max_labels: int = 1_000
    feedback_max_per_deployment: int = 50_000
    # Loaded models kept in memory (least recently used out first).
    cache_models: int = 64
    # The traffic simulator's time budget: its requests wait for the key's rate limit, and
    # what is not sent within it is reported as not sent.
    simulate_wall_seconds: float = 60.0
