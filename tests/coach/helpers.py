"""Run generated experiment code the way the sandbox would, with the CSV in a temp file."""

from __future__ import annotations

import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Unpack

from ascent.execution.v1 import execution_service_pb2 as exec_pb
from ascent.types.v1 import run_pb2

from services.coach.codegen import DATA_PATH
from services.common.templates import STARTER_TEMPLATE
from services.execution.sandbox import RunSpec, SandboxPool, SandboxResult
from services.execution.service import build_run
from tests.support import lanes
from tests.support.protos import RunFields, make_run

SEED_TEMPLATE = STARTER_TEMPLATE


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    def metric(self, name: str) -> float | None:
        for line in self.stdout.splitlines():
            if line.startswith(f"{name}:"):
                return float(line.split(":", 1)[1])
        return None

    def line(self, name: str) -> str | None:
        for line in self.stdout.splitlines():
            if line.startswith(f"{name}:"):
                return line.split(":", 1)[1].strip()
        return None


def run_code(code: str, csv_path: Path | None, tmp_path: Path, timeout: float = 60) -> Result:
    """Run `code` in a fresh interpreter; its data path is patched to `csv_path` (test only)."""
    lanes.require("experiment interpreters")
    target = str(csv_path) if csv_path is not None else str(tmp_path / "no-upload.csv")
    patched = code.replace(DATA_PATH, target)
    assert patched != code, "the code must read the uploaded dataset path"
    script = tmp_path / f"experiment_{abs(hash(code))}.py"
    script.write_text(patched)
    proc = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp_path,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


async def sandbox_run(
    pool: SandboxPool, source: str, csv: Path | None, **fields: Unpack[RunFields]
) -> run_pb2.Run:
    """`code` run in the real sandbox on `csv`, as the run the execution service records."""
    run_id = str(uuid.uuid4())
    result = None
    spec = RunSpec(run_id, "coach-test", source, str(csv) if csv else None)
    async for item in pool.run(spec):
        if isinstance(item, SandboxResult):
            result = item
    assert result is not None
    run = build_run(exec_pb.ExecuteRequest(run_id=run_id, owner_id="o", code=source), result)
    for key, value in fields.items():
        setattr(run, key, value)
    return run


def crashed_run(error_type: str, message: str, **fields: Unpack[RunFields]) -> run_pb2.Run:
    defaults: RunFields = {
        "id": "run-crash",
        "owner_id": "u1",
        "has_error": True,
        "status": "error",
        "error": run_pb2.RunError(type=error_type, message=message),
    }
    return make_run(defaults, **fields)


def scored_run(model_type: str, accuracy: float, **fields: Unpack[RunFields]) -> run_pb2.Run:
    run = make_run({"id": "run-ok", "owner_id": "u1", "status": "ok", "code": ""}, **fields)
    run.outcome.model_type = model_type
    run.outcome.accuracy = accuracy
    return run
