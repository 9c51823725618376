"""Per-slot cgroup v1 control (memory and pids controllers).

Each worker slot gets ``<controller>/<our cgroup>/ascent-sandbox-<pid>-<token>/slot<N>``.
A run's process moves itself into its slot before doing anything else, so every process it
creates is accounted and limited there: the memory limit includes tmpfs files it writes,
and ``pids.max`` caps fork bombs across the whole process tree. The cgroup is also the
reliable handle to kill everything of a slot when a worker dies.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import time
from pathlib import Path

from .models import Limits, SandboxError

_CONTROLLERS = ("memory", "pids")
_STALE = re.compile(r"^ascent-sandbox-(\d+)-[0-9a-f]+$")


def _v1_mounts() -> dict[str, Path]:
    mounts: dict[str, Path] = {}
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            pre, _, post = line.partition(" - ")
            fields = post.split()
            if len(fields) < 3 or fields[0] != "cgroup":
                continue
            options = set(fields[2].split(","))
            for ctrl in _CONTROLLERS:
                if ctrl in options:
                    mounts.setdefault(ctrl, Path(pre.split()[4]))
    return mounts


def _own_path(ctrl: str) -> str:
    with open("/proc/self/cgroup") as fh:
        for line in fh:
            _, names, path = line.rstrip("\n").split(":", 2)
            if ctrl in names.split(","):
                return path
    return "/"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_int(path: Path) -> int:
    return int(path.read_text().split()[0])


def _kill_tasks(group: Path) -> None:
    """SIGKILL every process in ``group`` until it is empty (bounded wait)."""
    procs = group / "cgroup.procs"
    deadline = time.monotonic() + 5.0
    while True:
        try:
            pids = [int(p) for p in procs.read_text().split()]
        except OSError:
            return
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if time.monotonic() > deadline:
            return
        time.sleep(0.02)


def _remove_tree(group: Path) -> None:
    if not group.is_dir():
        return
    for child in sorted((p for p in group.iterdir() if p.is_dir()), reverse=True):
        _remove_tree(child)
    _kill_tasks(group)
    for _ in range(50):
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.02)


class SlotCgroups:
    """The memory and pids cgroups of one worker slot."""

    def __init__(self, groups: dict[str, Path]) -> None:
        self.groups = groups
        self._oom_base = 0

    @property
    def procs_files(self) -> list[str]:
        return [str(g / "cgroup.procs") for g in self.groups.values()]

    def _oom_kills(self) -> int:
        mem = self.groups["memory"]
        try:
            for line in (mem / "memory.oom_control").read_text().splitlines():
                if line.startswith("oom_kill "):
                    return int(line.split()[1])
        except OSError:
            pass
        return _read_int(mem / "memory.failcnt")

    def prepare(self, limits: Limits) -> None:
        """Set this run's limits and reset the peak counters (slot must be empty)."""
        mem = self.groups["memory"]
        pids = self.groups["pids"]
        _kill_tasks(mem)
        _kill_tasks(pids)
        with contextlib.suppress(OSError):  # drop page cache left by the previous run
            (mem / "memory.force_empty").write_text("0")
        limit = str(int(limits.memory_mb) << 20)
        memsw = mem / "memory.memsw.limit_in_bytes"
        try:
            (mem / "memory.limit_in_bytes").write_text(limit)
            if memsw.exists():
                memsw.write_text(limit)
        except OSError:  # memsw must stay >= limit: raise it first when growing
            memsw.write_text(limit)
            (mem / "memory.limit_in_bytes").write_text(limit)
        (mem / "memory.max_usage_in_bytes").write_text("0")
        (pids / "pids.max").write_text(str(int(limits.max_processes)))
        self._oom_base = self._oom_kills()

    def peak_kb(self) -> int:
        try:
            return _read_int(self.groups["memory"] / "memory.max_usage_in_bytes") // 1024
        except OSError:
            return 0

    def oom_killed(self) -> bool:
        try:
            return self._oom_kills() > self._oom_base
        except OSError:
            return False

    def kill_all(self) -> None:
        for group in self.groups.values():
            _kill_tasks(group)


class CgroupManager:
    """Creates (and on close removes) this pool's cgroup tree; fails closed."""

    def __init__(self) -> None:
        mounts = _v1_mounts()
        missing = [c for c in _CONTROLLERS if c not in mounts]
        if missing:
            raise SandboxError(
                "sandbox unavailable: cgroup v1 controller(s) "
                f"{', '.join(missing)} not mounted (cgroup v2-only hosts are not supported)"
            )
        name = f"ascent-sandbox-{os.getpid()}-{secrets.token_hex(4)}"
        self.bases: dict[str, Path] = {}
        for ctrl in _CONTROLLERS:
            parent = mounts[ctrl] / _own_path(ctrl).lstrip("/")
            if not parent.is_dir():
                parent = mounts[ctrl]
            self._remove_stale(parent)
            base = parent / name
            try:
                base.mkdir()
            except OSError as exc:
                self.close()
                raise SandboxError(
                    f"sandbox unavailable: cannot create {ctrl} cgroup ({exc.strerror})"
                ) from exc
            self.bases[ctrl] = base
        with contextlib.suppress(OSError):
            (self.bases["memory"] / "memory.use_hierarchy").write_text("1")

    @staticmethod
    def _remove_stale(parent: Path) -> None:
        """Remove trees left by pools whose process died without closing."""
        with contextlib.suppress(OSError):
            for entry in parent.iterdir():
                match = _STALE.match(entry.name)
                if match and not _pid_alive(int(match.group(1))):
                    _remove_tree(entry)

    def slot(self, index: int) -> SlotCgroups:
        groups: dict[str, Path] = {}
        for ctrl, base in self.bases.items():
            group = base / f"slot{index}"
            try:
                group.mkdir(exist_ok=True)
            except OSError as exc:
                raise SandboxError(
                    f"sandbox unavailable: cannot create {ctrl} cgroup ({exc.strerror})"
                ) from exc
            groups[ctrl] = group
        slot = SlotCgroups(groups)
        try:
            slot.prepare(Limits())
        except OSError as exc:
            raise SandboxError(f"sandbox unavailable: cannot set cgroup limits ({exc})") from exc
        return slot

    def close(self) -> None:
        for base in self.bases.values():
            _remove_tree(base)
        self.bases = {}
