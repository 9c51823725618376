from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.config import ServiceSettings
from services.common.topology import default_port


def default_curriculum_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "curriculum"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASCENT_EXECUTION_", extra="ignore")

    grpc_port: int = default_port("execution")
    # Warm workers; on a 2-core machine two keep both cores busy without thrashing.
    pool_size: int = 2
    # Runs allowed to wait for a worker; beyond that callers get "busy, retry".
    max_queue: int = 64
    wall_seconds: float = 30.0
    cpu_seconds: float = 30.0
    # An app's run (ExecuteRequest.app_slug set, from the apps service) may ask for up to this
    # wall time (the AutoML Trainer: its 5-minute budget plus start-up), with as many CPU
    # seconds as wall seconds times the cores a search may keep busy (2).
    app_wall_seconds: float = 330.0
    app_cpu_per_wall: float = 2.0
    memory_mb: int = 1024
    max_processes: int = 32
    file_size_mb: int = 16
    open_files: int = 256
    output_bytes: int = 1_000_000
    # Largest learner program accepted, in characters.
    max_code_chars: int = 200_000
    # Challenge definitions; the hidden test labels are built from them into
    # <data_dir>/challenges and read only here, by the grader.
    curriculum_dir: Path = Field(default_factory=default_curriculum_dir)
