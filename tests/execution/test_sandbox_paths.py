"""Read-only host paths that lie under the run's scratch mount points (a checkout and its
venv under /tmp, say) stay visible: each run's fresh /tmp must not hide them."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from services.execution.sandbox import SandboxPool
from tests.execution.sandbox_helpers import run_code


@pytest.mark.skipif(
    os.environ.get("ASCENT_SKIP_SANDBOX_TESTS") == "1", reason="ASCENT_SKIP_SANDBOX_TESTS=1"
)
async def test_read_only_paths_under_tmp_survive_the_runs_own_tmp() -> None:
    shared = Path(tempfile.mkdtemp(prefix="ascent-ro-", dir="/tmp"))
    shared.chmod(0o755)  # like a checkout: readable by everyone, writable by its owner
    try:
        (shared / "helper_mod.py").write_text("ANSWER = 42\n")
        (shared / "table.csv").write_text("a,b\n1,2\n")
        code = f"""
import os, sys
sys.path.insert(0, {str(shared)!r})
import helper_mod
print("ANSWER", helper_mod.ANSWER)
print("CSV", open({str(shared / "table.csv")!r}).read().splitlines()[1])
open("/tmp/scratch.txt", "w").write("mine")
print("TMP", sorted(os.listdir("/tmp")))
try:
    open({str(shared / "x.txt")!r}, "w")
    print("WRITE ok")
except OSError as exc:
    print("WRITE", type(exc).__name__)
"""
        async with SandboxPool(size=1, max_queue=2, extra_ro_paths=(str(shared),)) as pool:
            result = await run_code(pool, code)
            again = await run_code(pool, "import os; print(sorted(os.listdir('/tmp')))")
        assert result.status == "ok", result.stderr
        assert "ANSWER 42" in result.stdout
        assert "CSV 1,2" in result.stdout
        assert "WRITE ok" not in result.stdout  # still read-only
        assert "scratch.txt" in result.stdout
        assert "scratch.txt" not in again.stdout  # the run's own /tmp is gone with it
        assert not (shared / "x.txt").exists()
    finally:
        shutil.rmtree(shared, ignore_errors=True)
