"""The warm worker pool: fair queueing, dispatch, streaming and result assembly.

Runs on the service's asyncio loop. Each worker is a zygote process (see
``runtime/_ascent_zygote.py``) bound to one slot: one uid, one pair of cgroups, one run at
a time. Learner code and output never pass through the zygote: the code goes in a memfd
and stdout/stderr/report are pipes whose ends are handed straight to the run's process.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import errno
import json
import logging
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import stat
import struct
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cgroups import CgroupManager, SlotCgroups
from .models import (
    LearnerError,
    Limits,
    OutputChunk,
    QueuePosition,
    RunSpec,
    SandboxBusy,
    SandboxError,
    SandboxResult,
)
from .scheduler import FairQueue

log = logging.getLogger(__name__)

RUNTIME_DIR = Path(__file__).resolve().parent / "runtime"
_ZYGOTE = RUNTIME_DIR / "_ascent_zygote.py"
_SETUP_FAILED_EXIT = 111

MAX_POOL_SIZE = 64
MAX_CODE_BYTES = 2_000_000
MAX_SIDE_BYTES = 64 << 20  # report + figures + predictions of one run
MAX_FIGURES = 20
START_TIMEOUT = 180.0  # importing the ML stack on a busy 2-core box takes a while
WATCHDOG_GRACE = 20.0  # beyond the wall limit before we stop trusting a worker
_DATA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")

# The zygote's (and so every run's) entire environment; nothing of the service leaks in.
ZYGOTE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/home/learner",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "MPLBACKEND": "Agg",
    "PYTHONUNBUFFERED": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "LOKY_MAX_CPU_COUNT": "1",
}

_PROBE = """
import json, os, socket
r = {"uid": os.getuid(), "gid": os.getgid(), "pid": os.getpid()}
r["procs"] = sorted(p for p in os.listdir("/proc") if p.isdigit())
r["visible"] = [os.path.exists(p) for p in HOST_PATHS]
st = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
r["seccomp"] = st["Seccomp"].strip()
r["cap"] = int(st["CapEff"].strip(), 16) | int(st["CapPrm"].strip(), 16)
for name, addr in (("lo", ("127.0.0.1", 9)), ("out", ("1.1.1.1", 53))):
    s = socket.socket()
    try:
        s.settimeout(2)
        s.connect(addr)
        r[name] = 0
    except OSError as e:
        r[name] = e.errno or -1
    finally:
        s.close()
print("ASCENT_PROBE " + json.dumps(r))
"""


@dataclass(eq=False)
class _Job:
    spec: RunSpec
    items: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    state: str = "queued"  # queued | running | done
    position: int | None = None
    cancel_requested: bool = False
    worker: _Worker | None = None


@dataclass(eq=False)
class _RunState:
    """Everything collected while one run executes."""

    limits: Limits
    emit: Callable[[Any], None]
    kill: Callable[[str], None]
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    output_bytes: int = 0
    truncated: bool = False
    side: bytearray = field(default_factory=bytearray)


class _Worker:
    def __init__(
        self,
        slot: int,
        uid: int,
        cgroups: SlotCgroups,
        root_dir: Path,
        ro_paths: list[str],
    ) -> None:
        self.slot = slot
        self.ro_paths = ro_paths
        self.uid = uid
        self.cgroups = cgroups
        self.root_dir = root_dir
        self.proc: asyncio.subprocess.Process | None = None
        self.sock: socket.socket | None = None
        self.alive = False
        self.job: _Job | None = None
        self.exit_future: asyncio.Future[dict[str, Any]] | None = None
        self.reader: asyncio.Task[None] | None = None

    @property
    def busy(self) -> bool:
        return self.job is not None

    async def start(self, mpl_dir: Path, timeout: float = START_TIMEOUT) -> None:
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.root_dir.mkdir(parents=True, exist_ok=True)
        cfg = {
            "parent_pid": os.getpid(),
            "ctrl_fd": theirs.fileno(),
            "uid": self.uid,
            "gid": self.uid,
            "root_dir": str(self.root_dir),
            "ro_paths": self.ro_paths,
            "cgroup_procs": self.cgroups.procs_files,
            "rootless": os.geteuid() != 0,
            "mpl_config_dir": str(mpl_dir),
        }
        try:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-I",
                "-B",
                str(_ZYGOTE),
                json.dumps(cfg),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                env=ZYGOTE_ENV,
                pass_fds=(theirs.fileno(),),
                start_new_session=True,
            )
        finally:
            theirs.close()
        ours.setblocking(False)
        self.sock = ours
        try:
            raw = await asyncio.wait_for(loop.sock_recv(ours, 65536), timeout)
        except TimeoutError:
            await self.stop()
            raise SandboxError("sandbox unavailable: worker did not start in time") from None
        msg = json.loads(raw) if raw else {"ev": "fatal", "error": "worker exited during setup"}
        if msg.get("ev") != "ready":
            await self.stop()
            raise SandboxError(f"sandbox unavailable: isolation setup failed ({msg.get('error')})")
        self.alive = True

    def send(self, msg: dict[str, Any], fds: list[int] | None = None) -> None:
        if self.sock is None:
            raise SandboxError("sandbox worker is not running")
        data = json.dumps(msg).encode()
        if fds:
            socket.send_fds(self.sock, [data], fds)
        else:
            self.sock.send(data)

    def kill_run(self, reason: str) -> None:
        with contextlib.suppress(OSError, SandboxError):
            self.send({"op": "kill", "reason": reason})

    def rss_kb(self) -> int:
        if self.proc is None:
            return 0
        pid = self.proc.pid
        if os.geteuid() != 0:  # rootless: the zygote is the child of a process that waits
            with contextlib.suppress(OSError, ValueError, IndexError):
                with open(f"/proc/{pid}/task/{pid}/children") as fh:
                    pid = int(fh.read().split()[0])
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    async def stop(self) -> None:
        self.alive = False
        if self.reader is not None:
            self.reader.cancel()
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.proc.wait(), 10)
        self.cgroups.kill_all()
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.exit_future is not None and not self.exit_future.done():
            self.exit_future.set_exception(SandboxError("sandbox worker stopped"))


def _ro_paths(extra: tuple[str, ...] = ()) -> list[str]:
    """What the learner process needs to see (read-only): the interpreter and its libs."""
    import site

    paths = {sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix, str(RUNTIME_DIR)}
    paths.update(site.getsitepackages())
    paths.update(extra)
    return sorted(p for p in paths if p and os.path.isdir(p))


class SandboxPool:
    """A pool of warm, isolated Python workers. See ``services/execution/README.md``."""

    def __init__(
        self,
        size: int = 2,
        max_queue: int = 64,
        work_root: str | None = None,
        extra_ro_paths: tuple[str, ...] = (),
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        """``extra_ro_paths``: more host directories every run sees read-only at the same
        path (e.g. shared read-only datasets); the interpreter and its libraries always are.
        ``start_timeout``: how long a worker may take to import the ML stack (longer on an
        emulated machine, e.g. the cgroup v2 VM under TCG)."""
        if not 1 <= size <= MAX_POOL_SIZE:
            raise ValueError(f"size must be between 1 and {MAX_POOL_SIZE}")
        if max_queue < 0:
            raise ValueError("max_queue must be >= 0")
        self.size = size
        self.max_queue = max_queue
        self.start_timeout = start_timeout
        self._work_root_arg = work_root
        self._ro_paths = _ro_paths(tuple(os.path.abspath(p) for p in extra_ro_paths))
        self._work_dir: Path | None = None
        self._cgroups: CgroupManager | None = None
        self._workers: list[_Worker] = []
        self._queue: FairQueue[_Job] = FairQueue()
        self._jobs: dict[str, _Job] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._started = False
        self._closing = False
        self._mpl_dir = Path(tempfile.gettempdir()) / f"ascent-sandbox-mpl-{os.geteuid()}"
        # A distinct uid per slot, and per pool process, so RLIMIT_NPROC never spans runs.
        self._uid_base = 100_000 + (os.getpid() % 20_000) * MAX_POOL_SIZE
        # Not root: every worker gets its own unprivileged user namespace instead.
        self.rootless = os.geteuid() != 0
        self.isolation: dict[str, str] = {}

    # --- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        if self._started:
            return
        _preflight(self.rootless)
        self._cgroups = CgroupManager(required=not self.rootless)
        self.isolation = _isolation(self.rootless, self._cgroups)
        log.info(
            "sandbox isolation: "
            + "; ".join(f"{key}: {value}" for key, value in self.isolation.items()),
            extra={"isolation": self.isolation},
        )
        try:
            root = Path(self._work_root_arg or tempfile.gettempdir())
            root.mkdir(parents=True, exist_ok=True)
            self._work_dir = Path(
                tempfile.mkdtemp(prefix=f"ascent-sandbox-{os.getpid()}-", dir=root)
            )
            self._mpl_dir.mkdir(mode=0o700, exist_ok=True)
            self._workers = [
                _Worker(
                    i,
                    self._uid_base + i,
                    self._cgroups.slot(i),
                    self._work_dir / f"slot{i}" / "root",
                    self._ro_paths,
                )
                for i in range(self.size)
            ]
            await asyncio.gather(
                *(w.start(self._mpl_dir, self.start_timeout) for w in self._workers)
            )
            for w in self._workers:
                w.reader = asyncio.create_task(self._read_worker(w))
            await asyncio.gather(*(self._probe(w) for w in self._workers))
        except BaseException:
            await self.close()
            raise
        self._started = True

    async def close(self) -> None:
        self._closing = True
        for job in list(self._jobs.values()):
            if job.state == "queued":
                self._queue.remove(job.spec.owner_id, job)
                self._finish(job, _stopped(job.spec, "cancelled"))
        for w in self._workers:
            with contextlib.suppress(OSError, SandboxError):
                w.send({"op": "exit"})
            await w.stop()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)
        if self._cgroups is not None:
            self._cgroups.close()
            self._cgroups = None
        if self._work_dir is not None:
            shutil.rmtree(self._work_dir, ignore_errors=True)
            self._work_dir = None
        self._workers = []
        self._started = False

    async def __aenter__(self) -> SandboxPool:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    # --- public API --------------------------------------------------------------------

    def run(self, spec: RunSpec) -> AsyncIterator[OutputChunk | QueuePosition | SandboxResult]:
        """Queue ``spec``; raises ``SandboxBusy`` right away when the wait queue is full."""
        self._admit(spec)
        return self._stream(spec)

    async def cancel(self, run_id: str) -> bool:
        job = self._jobs.get(run_id)
        if job is None or job.state == "done":
            return False
        job.cancel_requested = True
        if job.state == "queued":
            self._queue.remove(job.spec.owner_id, job)
            self._finish(job, _stopped(job.spec, "cancelled"))
            self._update_positions()
        elif job.worker is not None:
            job.worker.kill_run("cancel")
        return True

    def stats(self) -> dict[str, int]:
        alive = [w for w in self._workers if w.alive]
        return {
            "workers": len(alive),
            "busy": sum(1 for w in alive if w.busy),
            "queued": len(self._queue),
            "rss_kb": sum(w.rss_kb() for w in alive),
        }

    # --- queueing ----------------------------------------------------------------------

    def _admit(self, spec: RunSpec) -> None:
        if not self._started or self._closing:
            raise SandboxError("sandbox pool is not running")
        if not any(w.alive for w in self._workers):
            raise SandboxError("sandbox unavailable: no healthy workers")
        if spec.run_id in self._jobs:
            raise SandboxError(f"run {spec.run_id!r} is already queued or running")
        if not any(w.alive and not w.busy for w in self._workers):
            if len(self._queue) >= self.max_queue:
                raise SandboxBusy("sandbox busy: all workers and the queue are full, retry later")

    async def _stream(
        self, spec: RunSpec
    ) -> AsyncIterator[OutputChunk | QueuePosition | SandboxResult]:
        self._admit(spec)  # again: state may have moved since run() was called
        job = _Job(spec)
        self._jobs[spec.run_id] = job
        self._queue.push(spec.owner_id, job)
        self._dispatch()
        try:
            while True:
                item = await job.items.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
                if isinstance(item, SandboxResult):
                    return
        finally:
            if job.state != "done":  # the consumer went away: don't keep burning a worker
                await self.cancel(spec.run_id)

    def _dispatch(self) -> None:
        while len(self._queue) and not self._closing:
            worker = next((w for w in self._workers if w.alive and not w.busy), None)
            if worker is None:
                break
            job = self._queue.pop()
            job.state = "running"
            job.worker = worker
            worker.job = job
            task = asyncio.create_task(self._execute(worker, job))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._update_positions()

    def _update_positions(self) -> None:
        for index, job in enumerate(self._queue.order(), start=1):
            if job.position != index:
                job.position = index
                job.items.put_nowait(QueuePosition(index))

    def _finish(self, job: _Job, outcome: SandboxResult | BaseException) -> None:
        if job.state == "done":
            return
        job.state = "done"
        self._jobs.pop(job.spec.run_id, None)
        job.items.put_nowait(outcome)

    # --- execution ---------------------------------------------------------------------

    async def _execute(self, worker: _Worker, job: _Job) -> None:
        try:
            result = await self._run_on(worker, job)
        except BaseException as exc:
            if isinstance(exc, SandboxError):
                self._finish(job, exc)
            else:
                log.exception("sandbox run failed", extra={"run_id": job.spec.run_id})
                self._finish(job, SandboxError("sandbox internal error"))
            if isinstance(exc, asyncio.CancelledError):
                raise
        else:
            self._finish(job, result)
        finally:
            for w in self._workers:  # the slot's worker may have been replaced meanwhile
                if w.job is job:
                    w.job = None
            worker.job = None
            job.worker = None
            if not self._closing:
                self._dispatch()

    async def _run_on(self, worker: _Worker, job: _Job) -> SandboxResult:
        spec = job.spec
        if job.cancel_requested:
            return _stopped(spec, "cancelled")
        inputs = _resolve_inputs(spec)
        code = spec.code.encode("utf-8", errors="replace")
        if len(code) > MAX_CODE_BYTES:
            raise SandboxError(f"code is larger than {MAX_CODE_BYTES} bytes")
        loop = asyncio.get_running_loop()
        owned: list[int] = []
        try:
            code_fd = os.memfd_create("learner-code", os.MFD_CLOEXEC)
            owned.append(code_fd)
            _write_all(code_fd, code)
            os.lseek(code_fd, 0, os.SEEK_SET)
            pipes = [os.pipe2(os.O_CLOEXEC) for _ in range(3)]
            owned += [fd for pair in pipes for fd in pair]
            (out_r, out_w), (err_r, err_w), (side_r, side_w) = pipes
            try:
                worker.cgroups.prepare(spec.limits)
                cgroup_fd = worker.cgroups.run_procs_fd()
            except OSError as exc:
                raise SandboxError(f"sandbox unavailable: cannot set limits ({exc})") from exc
            handed = [code_fd, out_w, err_w, side_w]
            if cgroup_fd is not None:  # cgroup v2: this run's own cgroup
                owned.append(cgroup_fd)
                handed.append(cgroup_fd)
            worker.exit_future = loop.create_future()
            state = _RunState(spec.limits, job.items.put_nowait, worker.kill_run)
            request = {
                "op": "run",
                "run_id": spec.run_id,
                "limits": _limits_dict(spec.limits),
                "inputs": inputs,
                "cgroup_fd": cgroup_fd is not None,
            }
            try:
                worker.send(request, handed)
            except OSError as exc:
                await self._worker_failed(worker)
                raise SandboxError("sandbox worker unavailable, retry") from exc
            for fd in handed:
                os.close(fd)
                owned.remove(fd)
            if job.cancel_requested:  # cancel() raced with the hand-off
                worker.kill_run("cancel")
            readers = [
                asyncio.create_task(self._pump_output(out_r, "stdout", state)),
                asyncio.create_task(self._pump_output(err_r, "stderr", state)),
                asyncio.create_task(self._pump_side(side_r, state)),
            ]
            watchdog = spec.limits.wall_seconds + WATCHDOG_GRACE
            try:
                exited = await asyncio.wait_for(asyncio.shield(worker.exit_future), watchdog)
            except (TimeoutError, SandboxError):
                # The worker stopped answering or died: never trust it again.
                await self._worker_failed(worker)
                exited = {"status": signal.SIGKILL, "reason": "worker", "duration_ms": 0}
            _, pending = await asyncio.wait(readers, timeout=5)
            for task in pending:  # only if something still holds a pipe open
                task.cancel()
            return self._build_result(spec, worker, state, exited)
        finally:
            for fd in owned:
                with contextlib.suppress(OSError):
                    os.close(fd)

    async def _pump_output(self, fd: int, stream: str, state: _RunState) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        sink = state.stdout if stream == "stdout" else state.stderr
        cap = state.limits.output_bytes
        async for data in _read_fd(fd):
            if state.truncated:
                continue  # drain so the writer is never blocked, but keep nothing
            room = cap - state.output_bytes
            if len(data) > room:
                data = data[:room]
                state.truncated = True
            state.output_bytes += len(data)
            text = decoder.decode(data, final=state.truncated)
            if text:
                sink.append(text)
                state.emit(OutputChunk(stream, text))
            if state.truncated:
                notice = (
                    f"\n[ascent] output limit of {cap} bytes reached: "
                    "output truncated and the run stopped\n"
                )
                state.stderr.append(notice)
                state.emit(OutputChunk("stderr", notice))
                state.kill("output")
        tail = decoder.decode(b"", final=True)
        if tail and not state.truncated:
            sink.append(tail)
            state.emit(OutputChunk(stream, tail))

    async def _pump_side(self, fd: int, state: _RunState) -> None:
        async for data in _read_fd(fd):
            room = MAX_SIDE_BYTES - len(state.side)
            if room > 0:
                state.side += data[:room]

    def _build_result(
        self, spec: RunSpec, worker: _Worker, state: _RunState, exited: dict[str, Any]
    ) -> SandboxResult:
        side = _parse_side(bytes(state.side))
        raw = int(exited.get("status", 0))
        reason = exited.get("reason")
        if os.WIFSIGNALED(raw):
            exit_code, sig = -os.WTERMSIG(raw), os.WTERMSIG(raw)
        else:
            exit_code, sig = os.WEXITSTATUS(raw), 0
        if not side.ready and reason not in ("cancel", "wall", "worker"):
            detail = side.setup_error or f"exit status {exit_code}"
            log.error("sandbox setup failed", extra={"run_id": spec.run_id, "detail": detail})
            raise SandboxError(f"sandbox unavailable: isolation setup failed ({detail})")
        error = side.error if exit_code != 0 else None
        # RLIMIT_CPU's SIGKILL is the only SIGKILL we did not send ourselves that a run's pid 1
        # can get (it cannot signal itself; OOM kills are checked first). rusage CPU time is
        # tick-sampled and was seen up to ~8% below the limit the kernel enforced, hence 80%.
        cpu_limit_ms = max(1, math.ceil(spec.limits.cpu_seconds)) * 1000 * 0.8
        if reason == "cancel":
            status = "cancelled"
        elif reason == "output" or state.truncated:
            status = "output_limit"
        elif reason == "wall" or sig == signal.SIGXCPU:
            status = "timeout"
        elif reason == "worker":
            status = "killed"
        elif worker.cgroups.oom_killed() and exit_code != 0:
            status = "memory"
        elif error is not None and error.type.endswith("MemoryError"):
            status = "memory"
        elif sig == signal.SIGKILL and exited.get("cpu_ms", 0) >= cpu_limit_ms:
            status = "timeout"
        elif sig:
            status = "killed"
        elif exit_code != 0:
            status = "error"
        else:
            status = "ok"
        peak = worker.cgroups.peak_kb() or int(exited.get("maxrss_kb", 0))
        return SandboxResult(
            run_id=spec.run_id,
            status=status,
            exit_code=exit_code,
            error=error if status in ("error", "memory") else None,
            duration_ms=int(exited.get("duration_ms", 0)),
            peak_memory_kb=peak,
            stdout="".join(state.stdout),
            stderr="".join(state.stderr),
            truncated=state.truncated,
            figures=side.figures,
            report=side.report,
            predictions=side.predictions,
        )

    # --- workers -----------------------------------------------------------------------

    async def _read_worker(self, worker: _Worker) -> None:
        loop = asyncio.get_running_loop()
        sock = worker.sock
        assert sock is not None
        while True:
            try:
                raw = await loop.sock_recv(sock, 65536)
            except (OSError, asyncio.CancelledError):
                raw = b""
            if not raw:
                break
            msg = json.loads(raw)
            fut = worker.exit_future
            if msg.get("ev") == "exited" and fut is not None and not fut.done():
                fut.set_result(msg)
        if worker.alive and not self._closing:
            log.error("sandbox worker died", extra={"slot": worker.slot})
            asyncio.get_running_loop().create_task(self._worker_failed(worker))

    async def _worker_failed(self, worker: _Worker) -> None:
        if not worker.alive:
            return
        await worker.stop()
        if self._closing:
            return
        replacement = _Worker(
            worker.slot, worker.uid, worker.cgroups, worker.root_dir, worker.ro_paths
        )
        replacement.job = worker.job  # keeps the slot busy until its run has finished
        index = self._workers.index(worker)
        self._workers[index] = replacement
        for attempt in range(3):
            try:
                await replacement.start(self._mpl_dir, self.start_timeout)
                replacement.reader = asyncio.create_task(self._read_worker(replacement))
                break
            except SandboxError:
                log.exception("sandbox worker restart failed", extra={"attempt": attempt})
                await asyncio.sleep(1 + attempt)
        if not any(w.alive for w in self._workers):
            for job in list(self._jobs.values()):
                if job.state == "queued":
                    self._queue.remove(job.spec.owner_id, job)
                    self._finish(job, SandboxError("sandbox unavailable: no healthy workers"))
        self._dispatch()

    def _probe_paths(self) -> list[str]:
        """Host paths that must not exist inside: secrets, /root, the service's own files."""
        paths = ["/etc/shadow", "/root/.bashrc", str(self._work_dir), __file__]
        return [p for p in paths if p and os.path.exists(p)]

    async def _probe(self, worker: _Worker) -> None:
        """Check isolation from the inside once per worker; refuse to start otherwise."""
        spec = RunSpec(
            run_id=f"probe-{secrets.token_hex(4)}",
            owner_id="-",
            code=_PROBE.replace("HOST_PATHS", repr(self._probe_paths())),
            limits=Limits(wall_seconds=60),
        )
        job = _Job(spec, state="running", worker=worker)
        worker.job = job
        try:
            result = await self._run_on(worker, job)
        finally:
            worker.job = None
        line = next(
            (ln for ln in result.stdout.splitlines() if ln.startswith("ASCENT_PROBE ")), None
        )
        if result.status != "ok" or line is None:
            raise SandboxError(f"sandbox unavailable: isolation probe failed ({result.stderr})")
        r = json.loads(line.split(" ", 1)[1])
        problems = []
        if r["uid"] != worker.uid or r["uid"] == 0 or r["gid"] == 0:
            problems.append("uid")
        if r["pid"] != 1 or r["procs"] != ["1"]:
            problems.append("pid namespace")
        if any(r["visible"]):
            problems.append("filesystem")
        if r["seccomp"] != "2" or r["cap"] != 0:
            problems.append("privileges")
        if r["lo"] in (0, errno.ECONNREFUSED) or r["out"] == 0:
            problems.append("network")
        if problems:
            raise SandboxError(f"sandbox unavailable: isolation probe failed ({problems})")


# --- helpers ---------------------------------------------------------------------------


def _preflight(rootless: bool) -> None:
    if sys.platform != "linux":
        raise SandboxError("sandbox unavailable: Linux is required")
    if platform.machine() != "x86_64":
        raise SandboxError("sandbox unavailable: the seccomp filter supports x86_64 only")
    for ns in ("mnt", "net", "pid", "ipc", "uts", *(("user",) if rootless else ())):
        if not os.path.exists(f"/proc/self/ns/{ns}"):
            raise SandboxError(f"sandbox unavailable: kernel lacks {ns} namespaces")
    if rootless:
        # The zygote's unshare(CLONE_NEWUSER) is the real test (a sysctl or an LSM may still
        # refuse it); this only names the common cause up front.
        try:
            with open("/proc/sys/user/max_user_namespaces") as fh:
                allowed = int(fh.read().strip() or 0)
        except OSError:
            allowed = 1
        if allowed <= 0:
            raise SandboxError(
                "sandbox unavailable: not root and user namespaces are disabled "
                "(user.max_user_namespaces = 0): start as root or enable them"
            )


def _isolation(rootless: bool, cgroups: CgroupManager) -> dict[str, str]:
    """What this pool enforces, as stated at start (log line, ``SandboxPool.isolation``)."""
    layers = {
        "mode": "rootless (unprivileged user namespace)" if rootless else "root",
        "namespaces": "user+mount+pid+net+ipc+uts" if rootless else "mount+pid+net+ipc+uts",
        "seccomp": "enforced",
        "capabilities": "none (bounding, effective, permitted cleared)",
        "rlimits": "enforced (cpu, address space, nproc, fsize, nofile, core)",
        "cgroups": cgroups.description,
        "uid": (
            "one mapped uid per worker (the service's own outside)"
            if rootless
            else "one unprivileged uid per slot"
        ),
    }
    if rootless:
        layers["supplementary groups"] = "kept (setgroups is denied in a user namespace)"
    return layers


def _limits_dict(limits: Limits) -> dict[str, float | int]:
    values: dict[str, float | int] = {
        "wall_seconds": float(limits.wall_seconds),
        "cpu_seconds": float(limits.cpu_seconds),
        "memory_mb": int(limits.memory_mb),
        "max_processes": int(limits.max_processes),
        "file_size_mb": int(limits.file_size_mb),
        "open_files": int(limits.open_files),
        "output_bytes": int(limits.output_bytes),
    }
    for key, value in values.items():
        if not value > 0:
            raise SandboxError(f"invalid limit {key}={value}")
    if values["max_processes"] < 4 or values["open_files"] < 16 or values["memory_mb"] < 64:
        raise SandboxError("limits too small to start Python (processes>=4, files>=16, 64 MB)")
    return values


def _resolve_inputs(spec: RunSpec) -> list[list[str]]:
    wanted: dict[str, str] = {}
    if spec.dataset_path is not None:
        wanted["uploaded.csv"] = spec.dataset_path
    for name, path in spec.input_files.items():
        if not _DATA_NAME.match(name) or name in ("..", "."):
            raise SandboxError(f"invalid input file name {name!r}")
        if name in wanted:
            raise SandboxError(f"input file {name!r} given twice")
        wanted[name] = path
    out = []
    for name, path in wanted.items():
        real = os.path.realpath(path)
        try:
            mode = os.stat(real).st_mode
        except OSError:
            raise SandboxError(f"input file for /data/{name} not found") from None
        if not stat.S_ISREG(mode):
            raise SandboxError(f"input file for /data/{name} is not a regular file")
        out.append([name, real])
    return out


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


async def _read_fd(fd: int) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    os.set_blocking(fd, False)
    while True:
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            ready: asyncio.Future[None] = loop.create_future()

            def wake(fut: asyncio.Future[None] = ready) -> None:
                if not fut.done():
                    fut.set_result(None)

            loop.add_reader(fd, wake)
            try:
                await ready
            finally:
                loop.remove_reader(fd)
            continue
        if not data:
            return
        yield data


@dataclass
class _Side:
    ready: bool = False
    setup_error: str | None = None
    error: LearnerError | None = None
    report: dict[str, Any] = field(default_factory=dict)
    predictions: list[Any] | None = None
    figures: list[bytes] = field(default_factory=list)


def _parse_side(buf: bytes) -> _Side:
    """Decode the run's side channel. Everything after ``ready`` was writable by learner
    code, so it is parsed defensively and can only shape this run's own result."""
    side = _Side()
    pos = 0
    first = True
    while pos + 5 <= len(buf):
        kind = buf[pos : pos + 1]
        (size,) = struct.unpack(">I", buf[pos + 1 : pos + 5])
        payload = buf[pos + 5 : pos + 5 + size]
        if len(payload) < size or kind not in (b"J", b"P"):
            break
        pos += 5 + size
        if kind == b"P":
            if side.ready and len(side.figures) < MAX_FIGURES and payload[:4] == b"\x89PNG":
                side.figures.append(payload)
            continue
        try:
            rec = json.loads(payload)
        except (ValueError, RecursionError):
            continue
        if not isinstance(rec, dict):
            continue
        tag = rec.get("t")
        if first:
            first = False
            if tag == "ready":
                side.ready = True
            elif tag == "setup_error":
                side.setup_error = str(rec.get("message"))[:500]
            continue
        if not side.ready:
            continue
        if tag == "error":
            tb = rec.get("traceback")
            side.error = LearnerError(
                type=str(rec.get("type"))[:200],
                message=str(rec.get("message"))[:5000],
                traceback=[str(x) for x in tb][:200] if isinstance(tb, list) else [],
            )
        elif tag == "report" and isinstance(rec.get("section"), str):
            section, data = rec["section"][:100], rec.get("data")
            if section == "metrics" and isinstance(data, dict):
                side.report.setdefault("metrics", {}).update(data)
            else:
                side.report[section] = data
        elif tag == "predictions" and isinstance(rec.get("data"), list):
            side.predictions = rec["data"]
    return side


def _stopped(spec: RunSpec, status: str) -> SandboxResult:
    return SandboxResult(
        run_id=spec.run_id,
        status=status,
        exit_code=-1,
        error=None,
        duration_ms=0,
        peak_memory_kb=0,
        stdout="",
        stderr="",
        truncated=False,
        figures=[],
        report={},
        predictions=None,
    )
