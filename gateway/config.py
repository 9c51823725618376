"""Gateway settings (env prefix ASCENT_GATEWAY_; host, port, secret and cookie flag are global)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.config import CommonSettings

_PLACEHOLDERS = {
    "changeme",
    "change-me",
    "change_me",
    "changethis",
    "secret",
    "secretkey",
    "secret-key",
    "secret_key",
    "password",
    "default",
    "example",
    "test",
    "xxx",
    "your-secret-key",
    "your_secret_key",
    "please-change-me",
    "insecure",
}
# Short keys can be brute-forced offline from one signed cookie.
MIN_SECRET_LENGTH = 32
SECRET_FILE = "gateway-secret"


def _default_static_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "web" / "dist"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASCENT_GATEWAY_", extra="ignore", populate_by_name=True
    )

    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("ASCENT_HOST", "host"))
    port: int = Field(default=8000, validation_alias=AliasChoices("ASCENT_PORT", "port"))
    secret_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ASCENT_SECRET_KEY", "secret_key")
    )
    # Browsers accept Secure cookies on http://localhost too; plain-http test clients do not.
    cookie_secure: bool = Field(
        default=True, validation_alias=AliasChoices("ASCENT_COOKIE_SECURE", "cookie_secure")
    )
    # Staff accounts created at start with their role (gateway/accounts/staff.py): a JSON
    # list of {"username", "role", "password_file"}. Registration never grants a role.
    staff_file: Path | None = None
    # SQLAlchemy URL; empty means SQLite `<data_dir>/gateway.db`.
    database_url: str = ""
    static_dir: Path = Field(default_factory=_default_static_dir)

    cookie_name: str = "ascent_session"
    session_max_age_seconds: int = 14 * 24 * 3600
    token_ttl_seconds: int = 7 * 24 * 3600

    # The seed's 10k-row limit was a browser (Pyodide) limit; the server sandbox reads a file
    # of this size in about 3 s and keeps it well inside its 1 GB (bench/bench_datasets.py).
    max_upload_bytes: int = 200 * 1024 * 1024
    max_dataset_rows: int = 1_000_000
    # The dataset card's histograms are computed on a uniform random sample of this many rows
    # (seed 0) when the dataset is larger; the card says so.
    card_sample_rows: int = 100_000
    max_code_chars: int = 200_000
    # The sandbox limits shown beside Run. The gateway cannot ask execution for them, so these
    # defaults match ASCENT_EXECUTION_WALL_SECONDS / _MEMORY_MB; set both when changing one.
    run_wall_seconds: float = 30.0
    run_memory_mb: int = 1024

    rpc_timeout_seconds: float = 10.0
    # Covers queueing behind other runs plus the sandbox wall-clock limit.
    execute_timeout_seconds: float = 300.0
    improve_timeout_seconds: float = 120.0
    health_timeout_seconds: float = 1.0
    # /healthz raises an alert when a service's oldest unpublished event is older than this
    # (its consumers are that far behind), or any event was dead-lettered.
    outbox_lag_alert_seconds: float = 60.0
    # How long a run waits for the leaderboard to record it before the response goes out.
    leaderboard_wait_ms: int = 3000
    shutdown_grace_seconds: float = 10.0

    # The login throttle (gateway/accounts/throttle.py): failed logins per account and per
    # address in a fixed window before 429 + Retry-After.
    login_account_failures: int = 10
    login_address_failures: int = 50
    login_window_seconds: float = 15 * 60
    # Per-learner quotas (gateway/quotas.py), sliding windows. 0 turns one off. A run stores
    # its output (stdout, stderr, figures: up to ~5 MB) on the leaderboard for good, so the
    # output bytes a learner may add per day bound how fast their share of it grows.
    quota_runs_per_minute: int = 20
    quota_output_bytes_per_day: int = 200 * 1024 * 1024
    quota_uploads_per_day: int = 100
    # Five datasets of the largest size a day (each upload is stored once, content-addressed).
    quota_upload_bytes_per_day: int = 1024 * 1024 * 1024
    # The whole stdout of runs that printed more than the run event keeps (its head and tail,
    # 128 KiB: EVENTS.md), for "Download full output" (gateway/outputs.py); the store's bound.
    full_output_min_bytes: int = 128 * 1024
    full_output_store_bytes: int = 2 * 1024 * 1024 * 1024

    @field_validator("secret_key")
    @classmethod
    def _reject_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        check_secret(value.get_secret_value(), "ASCENT_SECRET_KEY")
        return value

    def resolved_database_url(self, common: CommonSettings) -> str:
        if self.database_url:
            return self.database_url
        common.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{common.data_dir / 'gateway.db'}"

    def resolved_secret_key(self, common: CommonSettings) -> str:
        """ASCENT_SECRET_KEY, else a key generated once and kept in `<data_dir>/gateway-secret`."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return load_or_create_secret(common.data_dir / SECRET_FILE)


def check_secret(value: str, origin: str) -> None:
    stripped = value.strip()
    if stripped.casefold() in _PLACEHOLDERS or len(set(stripped)) <= 2:
        raise ValueError(f"{origin} is a placeholder; set a random value (or unset it).")
    if len(stripped) < MIN_SECRET_LENGTH:
        raise ValueError(f"{origin} must be at least {MIN_SECRET_LENGTH} characters long.")


def load_or_create_secret(path: Path) -> str:
    if path.exists():
        value = path.read_text().strip()
        check_secret(value, str(path))
        return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    try:
        # O_EXCL: two gateways starting together must not overwrite each other's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_or_create_secret(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
