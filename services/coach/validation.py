"""Checks every proposal passes before it reaches the learner.

1. It parses (Python `ast`).
2. It follows the run contract: reads the uploaded dataset at `/data/uploaded.csv`, prints
   `MODEL_TYPE:` and a score line (`ACCURACY:` or `R2:`), imports nothing outside the data
   science stack (no process, network or file-system escape hatches).
3. A dry run in the real sandbox: `execution.Execute` with `ephemeral=true` (nothing is
   recorded or published, so no board, ledger or knowledge base learns from it) on the run's
   own dataset; it must finish without error and report a score. When the execution service
   cannot be reached the proposal is not shown: the caller falls back and says why.
"""

from __future__ import annotations

import ast
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import grpc
from ascent.execution.v1 import execution_service_pb2 as execution_pb
from ascent.execution.v1 import execution_service_pb2_grpc as execution_grpc
from ascent.types.v1 import run_pb2

from services.coach.codegen import DATA_PATH
from services.common.ml.scoring import ranking_score
from services.common.rpc import channel_options

log = logging.getLogger(__name__)

# The sandbox's own CPU/memory limits apply; this caps the dry run's wall time, which the
# learner waits for on top of the real run.
DRY_RUN_SECONDS = 60.0
MAX_CODE_CHARS = 50_000

ALLOWED_IMPORTS = {
    "json",
    "math",
    "numpy",
    "pandas",
    "sklearn",
    "scipy",
    "matplotlib",
    "warnings",
    "statistics",
    "collections",
    "itertools",
    "functools",
    "random",
    "time",
    "re",
    "typing",
    "dataclasses",
    "__future__",
}
FORBIDDEN_CALLS = {"exec", "eval", "compile", "__import__", "open", "breakpoint", "input"}


@dataclass(frozen=True)
class Validation:
    ok: bool
    problems: list[str]

    @property
    def reason(self) -> str:
        return "; ".join(self.problems)


def static_problems(code: str) -> list[str]:
    """Parse and contract checks (fast; no execution)."""
    if not code.strip():
        return ["the code is empty"]
    if len(code) > MAX_CODE_CHARS:
        return [f"the code is longer than {MAX_CODE_CHARS} characters"]
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        return [f"the code does not parse (line {exc.lineno}: {exc.msg})"]
    problems: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in FORBIDDEN_CALLS
            ):
                problems.append(f"the code calls {node.func.id}()")
        for name in names:
            if name.split(".")[0] not in ALLOWED_IMPORTS:
                problems.append(f"the code imports {name!r}, which experiments may not use")
    if DATA_PATH not in code:
        problems.append(f"the code does not read the uploaded dataset ({DATA_PATH})")
    if "MODEL_TYPE:" not in code:
        problems.append("the code does not print MODEL_TYPE:")
    if "ACCURACY:" not in code and "R2:" not in code:
        problems.append("the code prints no score (ACCURACY: or R2:)")
    return sorted(set(problems), key=problems.index)


class DryRunUnavailable(Exception):
    """The sandbox could not be reached: the proposal cannot be checked."""


# (code, the run being improved) -> the problems found (empty when the dry run worked).
DryRun = Callable[[str, run_pb2.Run], list[str]]


def result_problems(run: run_pb2.Run) -> list[str]:
    """What a finished dry run says about the code."""
    if run.has_error or run.status not in ("", "ok"):
        if run.has_error:
            detail = f"{run.error.type}: {run.error.message}".strip(": ")
        else:
            detail = run.status
        return [f"the dry run failed: {detail[:300]}"]
    if ranking_score(run.outcome) is None:
        return ["the dry run printed no score (ACCURACY: or R2:)"]
    return []


class SandboxDryRun:
    """Dry runs through the execution service (blocking gRPC: engines run in a thread)."""

    def __init__(self, addr: str, timeout: float = DRY_RUN_SECONDS) -> None:
        self.timeout = timeout
        self.channel = grpc.insecure_channel(addr, options=channel_options(addr))
        self.stub = execution_grpc.ExecutionServiceStub(self.channel)

    def __call__(self, code: str, run: run_pb2.Run) -> list[str]:
        request = execution_pb.ExecuteRequest(
            run_id=str(uuid.uuid4()),
            session_id=run.session_id,
            owner_id=run.owner_id,
            name="Coach dry run",
            code=code,
            dataset_sha256=run.dataset_sha256,
            wall_seconds=self.timeout,
            ephemeral=True,
        )
        result: run_pb2.Run | None = None
        try:
            # Queueing behind learners' runs is allowed for, on top of the run itself.
            for item in self.stub.Execute(request, timeout=self.timeout * 2 + 10):
                if item.WhichOneof("item") == "result":
                    result = item.result
        except grpc.RpcError as err:
            code_ = err.code() if isinstance(err, grpc.Call) else None
            if code_ == grpc.StatusCode.INVALID_ARGUMENT:
                details = err.details() if isinstance(err, grpc.Call) else ""
                return [f"the sandbox refused the code: {details}"[:300]]
            log.warning("dry run unavailable", extra={"code": str(code_)})
            raise DryRunUnavailable(
                "the execution service could not be reached for the sandbox dry run"
            ) from None
        if result is None:
            raise DryRunUnavailable("the sandbox dry run ended without a result")
        return result_problems(result)

    def close(self) -> None:
        self.channel.close()


def validate(code: str, run: run_pb2.Run, dry_run: DryRun | None = None) -> Validation:
    """Static checks, then (when they pass) the dry run; DryRunUnavailable propagates."""
    problems = static_problems(code)
    if not problems and dry_run is not None:
        problems = dry_run(code, run)
    return Validation(ok=not problems, problems=problems)
