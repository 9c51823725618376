"""Root and rootless modes: the pool states what it enforces, and a non-root service runs
code only inside a user namespace of its own, never half-isolated. The rootless tests run
when the suite runs as a non-root user (`make test-rootless`, tests/hosts/rootless)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from services.execution.sandbox import SandboxPool
from services.execution.sandbox.cgroups import host_layout
from services.execution.sandbox.pool import RUNTIME_DIR
from tests.execution.sandbox_helpers import run_code
from tests.support import lanes

ROOT = os.geteuid() == 0
rootless_only = pytest.mark.skipif(ROOT, reason="rootless mode: run as a non-root user")


@pytest.mark.asyncio(loop_scope="module")
async def test_isolation_is_stated(pool: SandboxPool) -> None:
    layers = pool.isolation
    assert pool.rootless is not ROOT
    assert layers["mode"].startswith("rootless" if not ROOT else "root")
    assert layers["seccomp"] == "enforced"
    assert set(layers) >= {"namespaces", "capabilities", "rlimits", "cgroups", "uid"}
    if not ROOT:
        assert "user" in layers["namespaces"]
        assert layers["cgroups"].startswith(("cgroup v", "not enforced ("))
    if ROOT or os.environ.get("ASCENT_SANDBOX_EXPECT_CGROUPS") == "1":  # a delegated subtree
        # the version this host offers: v2 on a v2-only host (the VM), v1 on a hybrid one
        version = host_layout().version
        assert layers["cgroups"].startswith(f"cgroup v{version} memory+pids"), layers["cgroups"]


@rootless_only
@pytest.mark.asyncio(loop_scope="module")
async def test_rootless_run_is_confined_to_its_user_namespace(pool: SandboxPool) -> None:
    code = """
import json, os
out = {"uid": os.getuid(), "maps": open("/proc/self/uid_map").read().split()}
for name, call in (("setuid0", lambda: os.setuid(0)), ("setgid0", lambda: os.setgid(0)),
                   ("chroot", lambda: os.chroot("/tmp"))):
    try:
        call()
        out[name] = "allowed"
    except OSError as e:
        out[name] = e.errno
print("RESULT " + json.dumps(out))
"""
    result = await run_code(pool, code)
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("RESULT "))
    out = json.loads(line.split(" ", 1)[1])
    assert out["uid"] >= 100_000  # the worker's uid inside, not the service user's
    assert len(out["maps"]) == 3 and out["maps"][2] == "1"  # one uid mapped, nothing else
    # uid/gid 0 do not exist there (EINVAL); chroot needs a capability the run lacks (EPERM)
    assert (out["setuid0"], out["setgid0"], out["chroot"]) == (22, 22, 1)


@rootless_only
@pytest.mark.sandbox
def test_rootless_fails_closed_without_user_namespaces() -> None:
    # Docker's default seccomp profile, or a sysctl, refuses unshare(CLONE_NEWUSER) to an
    # unprivileged process: the pool must refuse to start, naming the cause.
    lanes.require("the sandbox")
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        sys.path.insert(0, {str(RUNTIME_DIR)!r})
        import _ascent_native as n
        from services.execution.sandbox import SandboxError, SandboxPool
        n.install_seccomp(n.build_seccomp_filter())  # unshare → EPERM for us and children
        try:
            asyncio.run(SandboxPool(size=1).start())
        except SandboxError as exc:
            print("REFUSED", exc)
        else:
            print("STARTED")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert "REFUSED" in proc.stdout, proc.stdout + proc.stderr
    assert "user namespaces" in proc.stdout
