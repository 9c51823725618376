"""Which cgroup version the sandbox uses, read from recorded ``/proc`` files (parsing only:
the real proof that v2 limits hold is the VM run, ``make test-cgroup2``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.execution.sandbox.cgroups import CgroupManager, detect

# This machine's kind (hybrid: v1 controllers, an empty unified hierarchy).
HYBRID_MOUNTINFO = """\
30 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""
HYBRID_CGROUP = "9:pids:/svc\n5:memory:/svc\n1:name=systemd:/svc\n0::/svc\n"

# Debian 12 / Ubuntu 22.04+ / Docker on them: cgroup2 only (from the bookworm VM).
V2_MOUNTINFO = (
    "24 30 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 "
    "cgroup2 rw,nsdelegate,memory_recursiveprot\n"
)
V2_CGROUP = "0::/system.slice/ascent-tests.service\n"


def _tree(root: Path, rel: str, controllers: str | None = None) -> Path:
    path = root / rel.lstrip("/")
    path.mkdir(parents=True, exist_ok=True)
    if controllers is not None:
        (path / "cgroup.controllers").write_text(controllers + "\n")
    return path


def test_hybrid_host_uses_v1_in_its_own_cgroups(tmp_path: Path) -> None:
    mem = _tree(tmp_path, "/sys/fs/cgroup/memory/svc")
    pids = _tree(tmp_path, "/sys/fs/cgroup/pids/svc")
    layout = detect(HYBRID_MOUNTINFO, HYBRID_CGROUP, tmp_path)
    assert layout.version == 1
    assert layout.v1 == {"memory": mem, "pids": pids}


def test_v2_only_host_uses_v2_where_delegated(tmp_path: Path) -> None:
    own = _tree(tmp_path, "/sys/fs/cgroup/system.slice/ascent-tests.service", "memory pids io")
    layout = detect(V2_MOUNTINFO, V2_CGROUP, tmp_path)
    assert layout.version == 2
    assert layout.v2 == own


def test_v2_cgroup_namespace_root_is_the_mount(tmp_path: Path) -> None:
    # A container with its own cgroup namespace sees itself at "/".
    own = _tree(tmp_path, "/sys/fs/cgroup", "cpu memory pids")
    layout = detect(V2_MOUNTINFO, "0::/\n", tmp_path)
    assert (layout.version, layout.v2) == (2, own)


@pytest.mark.parametrize(
    ("controllers", "reason"),
    [("cpu io", "memory, pids not delegated"), ("memory", "pids not delegated")],
)
def test_v2_without_delegated_controllers_fails_closed(
    tmp_path: Path, controllers: str, reason: str
) -> None:
    _tree(tmp_path, "/sys/fs/cgroup/system.slice/ascent-tests.service", controllers)
    layout = detect(V2_MOUNTINFO, V2_CGROUP, tmp_path)
    assert layout.version == 0 and reason in layout.reason
    with pytest.raises(Exception, match="sandbox unavailable: cgroup v2 controller"):
        CgroupManager(required=True, layout=layout)
    rootless = CgroupManager(required=False, layout=layout)
    assert not rootless.enforced
    assert rootless.description.startswith("not enforced (cgroup v2 controller")
    assert not rootless.slot(0).procs_files


def test_neither_version_fails_closed(tmp_path: Path) -> None:
    only_cpu = "31 30 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
    layout = detect(only_cpu, "4:cpu:/\n", tmp_path)
    assert layout.version == 0
    assert "memory, pids missing" in layout.reason
