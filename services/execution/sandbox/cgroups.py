"""Per-slot cgroup control: memory and pids, on cgroup v1 or v2 (detected at start).

Each worker slot gets a cgroup ``…/ascent-sandbox-<pid>-<token>/slot<N>`` (v1: one per
controller; v2: one in the unified tree, and each run a fresh child ``slot<N>/r<seq>`` so
that its ``memory.peak`` starts at 0 on every kernel). A run's process moves itself into its
slot's (run's) cgroup before doing anything else, so every process it creates is accounted
and limited there: the memory limit includes tmpfs files it writes, and ``pids.max`` caps
fork bombs across the whole process tree. The cgroup is also the reliable handle to kill
everything of a slot when a worker dies.

v1 is used when both controllers are mounted as v1 hierarchies (a "hybrid" host), else v2
when the process's own cgroup offers both (``cgroup.controllers``). On v2 the "no internal
processes" rule forbids enabling controllers for children of a cgroup that holds processes,
so when our own cgroup holds some (a systemd unit with ``Delegate=yes``, a container's root)
they are moved into a leaf child ``ascent-service`` first, as container runtimes do.

Rootless (``required=False``): creating the tree needs a delegated subtree; without one the
manager reports that cgroup limits are not enforced (``CgroupManager.none``) instead of
failing, and the pool states it. As root the same failure refuses to start (fail closed).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import re
import secrets
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from .models import Limits, SandboxError

_CONTROLLERS = ("memory", "pids")
_STALE = re.compile(r"^ascent-sandbox-(\d+)-[0-9a-f]+$")
LEAF = "ascent-service"


# --- detection (pure parsing: tested against recorded /proc files) ---------------------


@dataclass(frozen=True)
class Layout:
    """Where the controllers are: ``version`` 1 (``v1`` maps controller → hierarchy
    directory of our own cgroup), 2 (``v2`` is our own cgroup's directory), or 0 (neither
    offers memory and pids: ``reason`` says why)."""

    version: int
    v1: dict[str, Path]
    v2: Path | None
    reason: str = ""
    v2_mount: Path | None = None


def parse_mountinfo(text: str) -> tuple[dict[str, Path], Path | None]:
    """v1 mount points of our controllers, and the cgroup2 mount point (if any)."""
    v1: dict[str, Path] = {}
    v2: Path | None = None
    for line in text.splitlines():
        pre, _, post = line.partition(" - ")
        fields, pre_fields = post.split(), pre.split()
        if len(fields) < 3 or len(pre_fields) < 5:
            continue
        mount_point = Path(pre_fields[4].replace("\\040", " "))
        if fields[0] == "cgroup2" and v2 is None:
            v2 = mount_point
        elif fields[0] == "cgroup":
            options = set(fields[2].split(","))
            for ctrl in _CONTROLLERS:
                if ctrl in options:
                    v1.setdefault(ctrl, mount_point)
    return v1, v2


def parse_proc_cgroup(text: str) -> tuple[dict[str, str], str | None]:
    """``/proc/self/cgroup``: v1 controller → path, and the v2 (``0::``) path."""
    v1: dict[str, str] = {}
    v2: str | None = None
    for line in text.splitlines():
        hier, _, rest = line.partition(":")
        names, _, path = rest.partition(":")
        if hier == "0" and names == "":
            v2 = path
        for name in names.split(","):
            if name:
                v1[name] = path
    return v1, v2


def detect(mountinfo: str, proc_cgroup: str, root: Path = Path("/")) -> Layout:
    """Decide v1 or v2 from the text of ``/proc/self/mountinfo`` and ``/proc/self/cgroup``
    (``root`` prefixes every path, for tests on a recorded tree)."""
    mounts, unified = parse_mountinfo(mountinfo)
    own_v1, own_v2 = parse_proc_cgroup(proc_cgroup)
    if all(c in mounts for c in _CONTROLLERS):
        groups = {}
        for ctrl in _CONTROLLERS:
            base = root / mounts[ctrl].relative_to("/")
            own = base / own_v1.get(ctrl, "/").lstrip("/")
            groups[ctrl] = own if own.is_dir() else base
        return Layout(1, groups, None)
    if unified is None or own_v2 is None:
        absent = ", ".join(c for c in _CONTROLLERS if c not in mounts)
        return Layout(0, {}, None, f"no cgroup v2 and cgroup v1 controller(s) {absent} missing")
    base = root / unified.relative_to("/")
    own = base / own_v2.lstrip("/")
    if not own.is_dir():  # e.g. a cgroup namespace whose root is the mount itself
        own = base
    offered = _read_words(own / "cgroup.controllers")
    missing = [c for c in _CONTROLLERS if c not in offered]
    if missing:
        where = "split between cgroup v1 and v2" if mounts else f"not delegated to {own}"
        return Layout(0, {}, own, f"cgroup v2 controller(s) {', '.join(missing)} {where}")
    return Layout(2, {}, own, v2_mount=base)


def host_layout() -> Layout:
    with open("/proc/self/mountinfo") as fh:
        mountinfo = fh.read()
    with open("/proc/self/cgroup") as fh:
        proc_cgroup = fh.read()
    return detect(mountinfo, proc_cgroup)


# --- small helpers ---------------------------------------------------------------------


def _read_words(path: Path) -> list[str]:
    try:
        return path.read_text().split()
    except OSError:
        return []


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


def _keyed(path: Path, key: str) -> int:
    """One value of a flat-keyed file such as ``memory.events``."""
    for line in path.read_text().splitlines():
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    return 0


def _kill_tasks(group: Path) -> None:
    """SIGKILL every process in ``group`` until it is empty (bounded wait)."""
    procs = group / "cgroup.procs"
    with contextlib.suppress(OSError):  # v2 (5.14+): one write kills the whole subtree
        (group / "cgroup.kill").write_text("1")
    deadline = time.monotonic() + 5.0
    while True:
        try:
            pids = [int(p) for p in procs.read_text().split()]
        except OSError:
            return
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
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


def _remove_stale(parent: Path) -> None:
    """Remove trees left by pools whose process died without closing."""
    with contextlib.suppress(OSError):
        for entry in parent.iterdir():
            match = _STALE.match(entry.name)
            if match and not _pid_alive(int(match.group(1))):
                _remove_tree(entry)


# --- slots -----------------------------------------------------------------------------


class SlotCgroups:
    """The cgroups of one worker slot. This base class enforces nothing (rootless without
    a delegated subtree); the v1 and v2 subclasses do."""

    enforced = False

    @property
    def procs_files(self) -> list[str]:
        """The ``cgroup.procs`` files the zygote opens once at start (v1)."""
        return []

    @property
    def current_procs_files(self) -> list[str]:
        """The ``cgroup.procs`` files that hold the current (or last) run's processes."""
        return self.procs_files

    def prepare(self, limits: Limits) -> None:
        """Set this run's limits and reset the peak counters (slot must be empty)."""

    def run_procs_fd(self) -> int | None:
        """An fd (the caller closes it) of this run's own ``cgroup.procs``, handed to the
        zygote with the run request, or None when the zygote's fixed ones serve (v1)."""
        return None

    def peak_kb(self) -> int:
        """Peak memory of the run, 0 when unknown (the pool then uses the run's rusage)."""
        return 0

    def oom_killed(self) -> bool:
        return False

    def kill_all(self) -> None:
        """Kill every process in the slot."""


class _SlotV1(SlotCgroups):
    enforced = True

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


class _SlotV2(SlotCgroups):
    """A v2 slot ``slot<N>`` whose runs each get a fresh child cgroup ``r<seq>``: its
    ``memory.peak`` starts at 0 and ``memory.events`` at no kills on every kernel (a reset of
    ``memory.peak`` needs Linux 6.12). The run's limits are set on the child; the zygote
    receives the child's ``cgroup.procs`` as an fd with each run request."""

    enforced = True

    def __init__(self, group: Path) -> None:
        self.group = group
        self.run_group: Path | None = None
        self._seq = 0
        self._oom_base = 0
        (group / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in _CONTROLLERS))

    @property
    def procs_files(self) -> list[str]:
        return []  # nothing fixed: each run's cgroup comes with its request

    @property
    def current_procs_files(self) -> list[str]:
        return [] if self.run_group is None else [str(self.run_group / "cgroup.procs")]

    def _oom_kills(self) -> int:
        if self.run_group is None:
            return 0
        return _keyed(self.run_group / "memory.events", "oom_kill")

    def _drop_run_group(self) -> None:
        if self.run_group is not None:
            _remove_tree(self.run_group)
            self.run_group = None

    def prepare(self, limits: Limits) -> None:
        _kill_tasks(self.group)
        self._drop_run_group()
        self._seq += 1
        g = self.group / f"r{self._seq}"
        g.mkdir()
        self.run_group = g
        (g / "memory.max").write_text(str(int(limits.memory_mb) << 20))
        # v1's memsw limit equal to the memory limit means "no swap beyond it": the same.
        with contextlib.suppress(FileNotFoundError):
            (g / "memory.swap.max").write_text("0")
        (g / "pids.max").write_text(str(int(limits.max_processes)))
        self._oom_base = self._oom_kills()

    def run_procs_fd(self) -> int | None:
        if self.run_group is None:
            return None
        return os.open(self.run_group / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC)

    def peak_kb(self) -> int:
        if self.run_group is None:
            return 0
        try:  # memory.peak exists from Linux 5.19; before, the pool uses the rusage
            return _read_int(self.run_group / "memory.peak") // 1024
        except (OSError, ValueError, IndexError):
            return 0

    def oom_killed(self) -> bool:
        try:
            return self._oom_kills() > self._oom_base
        except OSError:
            return False

    def kill_all(self) -> None:
        _kill_tasks(self.group)  # cgroup.kill covers the run's child too


# --- the pool's tree -------------------------------------------------------------------


_MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REMOUNT = 2, 4, 8, 32


def _remount_writable(mount_point: Path) -> None:
    """Docker and Kubernetes mount a container's own cgroup v2 namespace read-only unless
    privileged; with CAP_SYS_ADMIN it may be remounted read-write (it shows only the
    container's subtree). Raises OSError when not allowed."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
    flags = _MS_REMOUNT | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
    if libc.mount(None, os.fsencode(mount_point), None, flags, None) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _enable_controllers(parent: Path) -> None:
    """Make memory and pids available to ``parent``'s children (cgroup v2), moving the
    processes ``parent`` holds into the leaf ``ascent-service`` if the kernel asks."""
    control = parent / "cgroup.subtree_control"
    if all(c in _read_words(control) for c in _CONTROLLERS):
        return
    wanted = " ".join(f"+{c}" for c in _CONTROLLERS)
    try:
        control.write_text(wanted)
        return
    except OSError as exc:
        if exc.errno != errno.EBUSY:
            raise
    leaf = parent / LEAF
    leaf.mkdir(exist_ok=True)
    for _ in range(3):  # processes may fork while we move them
        pids = _read_words(parent / "cgroup.procs")
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, OSError):
                (leaf / "cgroup.procs").write_text(pid)
    control.write_text(wanted)


class CgroupManager:
    """Creates (and on close removes) this pool's cgroup tree; fails closed when
    ``required`` (root), else records why nothing is enforced (``enforced``/``reason``)."""

    def __init__(self, required: bool = True, layout: Layout | None = None) -> None:
        self.layout = layout or host_layout()
        self.version = self.layout.version
        self.enforced = False
        self.reason = self.layout.reason
        self.bases: dict[str, Path] = {}
        self._slots: list[SlotCgroups] = []
        name = f"ascent-sandbox-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            if self.version == 1:
                self._create_v1(name)
            elif self.version == 2:
                self._create_v2(name)
            else:
                raise SandboxError(f"sandbox unavailable: {self.reason}")
        except SandboxError as exc:
            self.close()
            if required:
                raise
            self.reason = str(exc).removeprefix("sandbox unavailable: ")
            return
        self.enforced = True

    @property
    def description(self) -> str:
        if not self.enforced:
            return f"not enforced ({self.reason})"
        where = ", ".join(str(b) for b in self.bases.values())
        return f"cgroup v{self.version} memory+pids under {where}"

    def _create_v1(self, name: str) -> None:
        for ctrl, parent in self.layout.v1.items():
            _remove_stale(parent)
            base = parent / name
            try:
                base.mkdir()
            except OSError as exc:
                raise SandboxError(
                    f"sandbox unavailable: cannot create {ctrl} cgroup ({exc.strerror})"
                ) from exc
            self.bases[ctrl] = base
        with contextlib.suppress(OSError):
            (self.bases["memory"] / "memory.use_hierarchy").write_text("1")

    def _create_v2(self, name: str) -> None:
        own = self.layout.v2
        assert own is not None
        parent = own
        if own.name == LEAF and all(
            c in _read_words(own.parent / "cgroup.subtree_control") for c in _CONTROLLERS
        ):
            parent = own.parent  # an earlier pool of this process moved us into the leaf
        _remove_stale(parent)
        if os.geteuid() == 0 and not os.access(parent, os.W_OK) and self.layout.v2_mount:
            with contextlib.suppress(OSError):  # else the mkdir below says why (EROFS)
                _remount_writable(self.layout.v2_mount)
        try:
            _enable_controllers(parent)
            base = parent / name
            base.mkdir()
            self.bases["unified"] = base
            (base / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in _CONTROLLERS))
        except OSError as exc:
            raise SandboxError(
                f"sandbox unavailable: cannot set up cgroup v2 under {parent} ({exc.strerror})"
            ) from exc

    def slot(self, index: int) -> SlotCgroups:
        slot: SlotCgroups
        if not self.enforced:
            slot = SlotCgroups()
            self._slots.append(slot)
            return slot
        try:
            if self.version == 1:
                groups = {}
                for ctrl, base in self.bases.items():
                    groups[ctrl] = base / f"slot{index}"
                    groups[ctrl].mkdir(exist_ok=True)
                slot = _SlotV1(groups)
            else:
                group = self.bases["unified"] / f"slot{index}"
                group.mkdir(exist_ok=True)
                slot = _SlotV2(group)
        except OSError as exc:
            raise SandboxError(
                f"sandbox unavailable: cannot create cgroup ({exc.strerror})"
            ) from exc
        self._slots.append(slot)
        try:
            slot.prepare(Limits())
        except OSError as exc:
            raise SandboxError(f"sandbox unavailable: cannot set cgroup limits ({exc})") from exc
        return slot

    def close(self) -> None:
        self._slots = []
        for base in self.bases.values():
            _remove_tree(base)
        self.bases = {}
