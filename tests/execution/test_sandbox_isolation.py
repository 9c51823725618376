"""Escape and abuse attempts: each test fails if the protection it names is removed."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest

from services.execution.sandbox import Limits, OutputChunk, SandboxPool, SandboxResult
from tests.execution.sandbox_helpers import (
    SEED_TEMPLATE,
    SERVICE_SECRET,
    SERVICE_SECRET_ENV,
    make_spec,
    read_only_tmp_entries,
    run_code,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _json_line(result: SandboxResult, tag: str = "RESULT") -> dict[str, Any]:
    for line in result.stdout.splitlines():
        if line.startswith(tag + " "):
            parsed = json.loads(line[len(tag) + 1 :])
            assert isinstance(parsed, dict), line
            return parsed
    raise AssertionError(f"no {tag} line in stdout={result.stdout!r} stderr={result.stderr!r}")


def _host_processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _slot_tasks(pool: SandboxPool) -> list[str]:
    tasks = []
    for worker in pool._workers:
        for procs in worker.cgroups.current_procs_files:  # cgroup v1 or v2's run
            tasks += Path(procs).read_text().split()
    return tasks


async def test_no_network_not_even_loopback(pool: SandboxPool) -> None:
    # A real listener on the host's loopback: reachable from any process sharing our netns.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    try:
        code = f"""
import errno, json, socket, time
out = {{}}
for name, addr in (("host_listener", ("127.0.0.1", {port})), ("outside", ("1.1.1.1", 53))):
    s = socket.socket()
    s.settimeout(5)
    t = time.monotonic()
    try:
        s.connect(addr)
        out[name] = "connected"
    except OSError as e:
        out[name] = errno.errorcode.get(e.errno, str(e))
    out[name + "_s"] = time.monotonic() - t
    s.close()
print("RESULT " + json.dumps(out))
"""
        result = await run_code(pool, code)
    finally:
        listener.close()
    out = _json_line(result)
    assert out["host_listener"] == "ENETUNREACH"
    assert out["outside"] == "ENETUNREACH"
    assert out["outside_s"] < 1.0  # refused locally, no packet ever left


async def test_only_unix_and_ip_socket_families(pool: SandboxPool) -> None:
    # AF_VSOCK reaches the hypervisor or other VMs' services, AF_PACKET/AF_NETLINK/AF_ALG/
    # AF_KEY are kernel attack surface; a run needs only AF_UNIX (multiprocessing, joblib)
    # and IP sockets (which the empty network namespace leaves unroutable).
    code = """
import errno, json, socket
families = {"AF_UNIX": 1, "AF_INET": 2, "AF_INET6": 10, "AF_NETLINK": 16, "AF_PACKET": 17,
            "AF_KEY": 15, "AF_ALG": 38, "AF_VSOCK": 40, "AF_BLUETOOTH": 31, "AF_TIPC": 30,
            "AF_RDS": 21, "AF_XDP": 44, "AF_CAN": 29}
out = {}
for name, family in families.items():
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_RAW, socket.SOCK_SEQPACKET):
        try:
            s = socket.socket(family, kind)
        except OSError as e:
            out.setdefault(name, errno.errorcode.get(e.errno, str(e)))
            continue
        out[name] = "created"
        if family == 40:  # what the attack did: bind any port and listen
            try:
                s.bind((0xFFFFFFFF, 5000))
                s.listen()
                out[name] = "listening"
            except OSError:
                pass
        s.close()
        break
try:
    a, b = socket.socketpair(40, socket.SOCK_STREAM)
    out["pair_vsock"] = "created"
except OSError as e:
    out["pair_vsock"] = errno.errorcode.get(e.errno, str(e))
a, b = socket.socketpair()
out["pair_unix"] = "created"
print("RESULT " + json.dumps(out))
"""
    out = _json_line(await run_code(pool, code))
    assert out.pop("AF_UNIX") == out.pop("AF_INET") == out.pop("AF_INET6") == "created"
    assert out.pop("pair_unix") == "created"
    assert out == dict.fromkeys(out, "EAFNOSUPPORT"), out


async def test_host_secrets_and_service_files_unreadable(
    pool: SandboxPool,
    tmp_path: Path,
) -> None:
    marker = uuid.uuid4().hex
    data_dir = tmp_path / "ascent-data"
    data_dir.mkdir()
    db = data_dir / "execution.sqlite3"
    db.write_text(f"SERVICE-DB-{marker}")
    labels = tmp_path / "challenge-labels.csv"
    labels.write_text(f"label\nHIDDEN-{marker}\n")
    dataset = tmp_path / "dataset.csv"
    dataset.write_text("a,b\n1,2\n")
    paths = [
        str(db),
        str(labels),
        str(data_dir),
        "/etc/shadow",
        "/root/.bashrc",
        str(Path(__file__).resolve()),
        "/proc/1/environ",
        "/proc/self/environ",
    ]
    code = f"""
import json, os
paths = {paths!r}
out = {{}}
for p in paths:
    try:
        if os.path.isdir(p):
            out[p] = "listed:" + ",".join(os.listdir(p))
        else:
            with open(p, "rb") as fh:
                out[p] = "read:" + fh.read().decode("latin-1")
    except OSError as e:
        out[p] = type(e).__name__
environ_dump = ""
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            environ_dump += open(f"/proc/{{pid}}/environ", "rb").read().decode("latin-1")
        except OSError:
            pass
out["environ_dump"] = environ_dump
out["os_environ"] = dict(os.environ)
out["pids"] = sorted(p for p in os.listdir("/proc") if p.isdigit())
print("RESULT " + json.dumps(out))
"""
    result = await run_code(pool, code, dataset_path=str(dataset))
    assert result.status == "ok", result.stderr
    out = _json_line(result)
    everything = result.stdout + result.stderr
    assert marker not in everything
    assert SERVICE_SECRET not in everything
    for p in paths[:-2]:
        assert not out[p].startswith(("read:", "listed:")), (p, out[p])
    assert SERVICE_SECRET_ENV not in out["os_environ"]
    assert set(out["os_environ"]) <= {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "LANG",
        "LC_ALL",
        "TMPDIR",
        "MPLBACKEND",
        "MPLCONFIGDIR",
        "PYTHONUNBUFFERED",
        "PYTHONDONTWRITEBYTECODE",
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "LOKY_MAX_CPU_COUNT",
    }
    assert out["pids"] == ["1"]  # the service and the worker are not even visible


async def test_parent_environ_unreadable(pool: SandboxPool) -> None:
    assert os.environ.get(SERVICE_SECRET_ENV) == SERVICE_SECRET
    pids = [os.getpid(), *(w.proc.pid for w in pool._workers if w.proc)]
    code = f"""
import json
out = {{}}
for pid in {pids!r} + ["self", 1]:
    try:
        out[str(pid)] = open(f"/proc/{{pid}}/environ", "rb").read().decode("latin-1")
    except OSError as e:
        out[str(pid)] = type(e).__name__
# The run is a fork of the worker: the environment block the worker was exec'd with is
# still in this process's own memory. It must not hold anything of the service.
import ctypes
fields = open("/proc/self/stat").read().rsplit(")", 1)[1].split()
env_start, env_end = int(fields[-3]), int(fields[-2])
out["own_env_block"] = ctypes.string_at(env_start, env_end - env_start).decode("latin-1")
print("RESULT " + json.dumps(out))
"""
    result = await run_code(pool, code)
    assert SERVICE_SECRET not in result.stdout
    assert "PATH=" in _json_line(result)["own_env_block"]  # we did read the real block
    out = _json_line(result)
    for pid in pids:
        assert out[str(pid)] in ("FileNotFoundError", "PermissionError", "ProcessLookupError")


async def test_other_runs_files_invisible(pool: SandboxPool) -> None:
    marker = uuid.uuid4().hex
    writer_code = f"""
import os, time
for d in (os.getcwd(), "/tmp", "/dev/shm"):
    with open(os.path.join(d, "secret-{marker}.txt"), "w") as fh:
        fh.write("{marker}")
print("written", flush=True)
time.sleep(30)
"""
    writer = make_spec(writer_code)
    reader_code = f"""
import json, os
found = []
for top in ("/home", "/tmp", "/dev/shm", "/data", "/proc"):
    for root, dirs, files in os.walk(top):
        if root.startswith("/proc/") and root.count("/") > 3:
            dirs[:] = []
        for f in files + dirs:
            if "{marker}" in f:
                found.append(os.path.join(root, f))
seen = {{"found": found, "home": os.listdir("."), "tmp": os.listdir("/tmp")}}
print("RESULT " + json.dumps(seen))
"""
    stream = pool.run(writer)
    async for item in stream:
        if isinstance(item, OutputChunk) and "written" in item.text:
            break
    try:
        result = await run_code(pool, reader_code)
    finally:
        await pool.cancel(writer.run_id)
        async for _ in stream:
            pass
    out = _json_line(result)
    assert out == {"found": [], "home": [], "tmp": read_only_tmp_entries(pool)}


async def test_writes_outside_workdir_fail_and_nothing_is_left(
    pool: SandboxPool,
    tmp_path: Path,
) -> None:
    dataset = tmp_path / "data.csv"
    dataset.write_text("x,y\n1,2\n")
    venv_site = next(p for p in __import__("sys").path if p.endswith("site-packages"))
    targets = [
        "/evil",
        "/etc/evil",
        "/usr/evil",
        "/data/evil",
        "/data/uploaded.csv",
        "/root/evil",
        f"{venv_site}/evil.py",
        "/proc/evil",
        "/dev/evil",
    ]
    code = f"""
import json, os
out = {{}}
for p in {targets!r}:
    try:
        with open(p, "a") as fh:
            fh.write("x")
        out[p] = "written"
    except OSError as e:
        out[p] = type(e).__name__
with open("mine.txt", "w") as fh:
    fh.write("ok")
with open("/tmp/mine.txt", "w") as fh:
    fh.write("ok")
out["cwd"] = os.getcwd()
out["listing"] = os.listdir(".")
print("RESULT " + json.dumps(out))
"""
    result = await run_code(pool, code, dataset_path=str(dataset))
    out = _json_line(result)
    for p in targets:
        assert out[p] != "written", p
    assert out["listing"] == ["mine.txt"]
    assert dataset.read_text() == "x,y\n1,2\n"
    # Both slots, several times: every run starts from an empty home and /tmp.
    for _ in range(3):
        after = await run_code(
            pool, "import os, json; print(json.dumps([os.listdir('.'), os.listdir('/tmp')]))"
        )
        assert json.loads(after.stdout) == [[], read_only_tmp_entries(pool)]
    assert pool._work_dir is not None
    assert not any(p.is_file() for p in pool._work_dir.rglob("*"))


async def test_fork_bomb_is_contained(pool: SandboxPool) -> None:
    count_code = """
import os, time
n = 0
for _ in range(200):
    try:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        n += 1
    except OSError:
        pass
print("FORKED", n)
"""
    limits = Limits(wall_seconds=10, cpu_seconds=10, max_processes=16)
    result = await run_code(pool, count_code, limits=limits)
    forked = int(result.stdout.split()[-1])
    assert forked < 16
    bomb = (
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    )
    result = await run_code(pool, bomb, limits=Limits(wall_seconds=3, cpu_seconds=3))
    assert result.status in ("timeout", "killed")
    assert _slot_tasks(pool) == []
    assert (await run_code(pool, "print('alive')")).stdout == "alive\n"


async def test_memory_limits(pool: SandboxPool) -> None:
    big = await run_code(pool, "import numpy as np\na = np.ones(4 * 1024**3 // 8)\nprint(a.sum())")
    assert big.status == "memory"
    assert big.error is not None and "MemoryError" in big.error.type
    creep = "x = []\nwhile True:\n    x.append(bytearray(8 * 1024 * 1024))\n"
    # Generous time: under software emulation (the cgroup v2 VM) 256 MB take seconds.
    limits = Limits(memory_mb=256, wall_seconds=120, cpu_seconds=120)
    result = await run_code(pool, creep, limits=limits)
    assert result.status == "memory"
    if pool.isolation["cgroups"].startswith("cgroup v"):
        # the cgroup's OOM killer (counted in memory.oom_control / memory.events), not
        # RLIMIT_AS's MemoryError, stopped it
        assert result.exit_code == -9 and result.error is None
        assert result.peak_memory_kb <= 300 * 1024
    # else (rootless, no delegated cgroup: stated at start) only RLIMIT_AS bounds it


async def test_peak_memory_is_the_runs_own(pool: SandboxPool) -> None:
    """With a cgroup the peak is this run's own charge, whatever ran before in the slot
    and on any kernel (cgroup v2 below 6.12 cannot reset memory.peak: a fresh cgroup per
    run); the rusage fallback would count the zygote's shared pages (~150 MB)."""
    if not pool.isolation["cgroups"].startswith("cgroup v"):
        pytest.skip("no cgroup (rootless without a delegated subtree): the peak is ru_maxrss")
    limits = Limits(memory_mb=256, wall_seconds=120, cpu_seconds=120)
    creep = "x = []\nwhile True:\n    x.append(bytearray(8 * 1024 * 1024))\n"
    for _ in range(len(pool._workers)):  # every slot has had a run near its limit
        assert (await run_code(pool, creep, limits=limits)).status == "memory"
    big = "import numpy as np\na = np.ones(64 * 1024**2 // 8)\nprint(a.sum())"
    small = "print('small')"
    for _ in range(len(pool._workers)):
        result = await run_code(pool, big)
        assert result.status == "ok"
        assert 60 * 1024 <= result.peak_memory_kb <= 140 * 1024
        result = await run_code(pool, small)
        assert result.stdout == "small\n"
        assert 0 < result.peak_memory_kb <= 48 * 1024


async def test_wall_time_limit(pool: SandboxPool) -> None:
    result = await run_code(
        pool,
        "import time\nprint('sleeping')\ntime.sleep(600)",
        # 3 s, not 1: under software emulation (the cgroup v2 VM) the first line took > 1 s
        limits=Limits(wall_seconds=3, cpu_seconds=30),
    )
    assert result.status == "timeout"
    assert 3_000 <= result.duration_ms < 15_000
    assert result.stdout == "sleeping\n"


async def test_cpu_time_limit(pool: SandboxPool) -> None:
    result = await run_code(
        pool, "while True:\n    pass\n", limits=Limits(wall_seconds=60, cpu_seconds=1)
    )
    assert result.status == "timeout"
    assert result.duration_ms < 20_000


async def test_output_flood_is_capped(pool: SandboxPool) -> None:
    code = "line = 'x' * 9999\nfor _ in range(10_000):\n    print(line)\n"  # 100 MB
    chunks, result = await _collect_with_chunks(pool, code)
    assert result.status == "output_limit"
    assert result.truncated
    assert len(result.stdout.encode()) <= 1_000_000
    assert "output limit" in result.stderr
    assert sum(len(c.text) for c in chunks if c.stream == "stdout") <= 1_000_000
    healthy = await run_code(pool, SEED_TEMPLATE)
    assert healthy.status == "ok"


async def _collect_with_chunks(
    pool: SandboxPool,
    code: str,
) -> tuple[list[OutputChunk], SandboxResult]:
    chunks: list[OutputChunk] = []
    async for item in pool.run(make_spec(code)):
        if isinstance(item, OutputChunk):
            chunks.append(item)
        elif isinstance(item, SandboxResult):
            return chunks, item
    raise AssertionError("no result")


async def test_background_process_dies_with_the_run(pool: SandboxPool) -> None:
    marker = f"bg-{uuid.uuid4().hex}"
    code = f"""
import os, subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "{marker}"],
                 start_new_session=True)
if os.fork() == 0:  # a classic double-fork daemon too
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "600", "{marker}"])
    os._exit(0)
import time
time.sleep(0.5)
print("spawned")
"""
    result = await run_code(pool, code)
    assert result.stdout == "spawned\n", result.stderr
    await asyncio.sleep(0.2)
    assert _host_processes_with(marker) == []
    assert _slot_tasks(pool) == []


async def test_killing_parent_or_worker_fails(pool: SandboxPool) -> None:
    worker_pids = sorted(w.proc.pid for w in pool._workers if w.proc)
    targets = [os.getpid(), *worker_pids]
    code = f"""
import json, os, signal
out = {{"ppid": os.getppid()}}
for pid in {targets!r} + [-1]:
    try:
        os.kill(pid, signal.SIGKILL)
        out[str(pid)] = "sent"
    except OSError as e:
        out[str(pid)] = type(e).__name__
print("RESULT " + json.dumps(out))
"""
    result = await run_code(pool, code)
    out = _json_line(result)
    assert out["ppid"] == 0  # the parent is outside the run's pid namespace
    for pid in [*targets, -1]:  # no such process in the run's pid namespace
        assert out[str(pid)] == "ProcessLookupError", (pid, out)
    await asyncio.sleep(0.2)
    assert sorted(w.proc.pid for w in pool._workers if w.proc) == worker_pids
    assert all(w.proc.returncode is None for w in pool._workers if w.proc)
    assert pool.stats()["workers"] == 2
    assert (await run_code(pool, "print('still here')")).stdout == "still here\n"


async def test_privileges_cannot_be_regained(pool: SandboxPool) -> None:
    code = """
import ctypes, json, os, resource
libc = ctypes.CDLL(None, use_errno=True)
out = {"uid": os.getuid()}
class RLimit(ctypes.Structure):
    _fields_ = [("cur", ctypes.c_ulong), ("max", ctypes.c_ulong)]
for name in ("RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_FSIZE"):
    res = getattr(resource, name)
    soft, hard = resource.getrlimit(res)
    big = RLimit(hard * 4 + 1024, hard * 4 + 1024)
    rc = libc.prlimit(0, res, ctypes.byref(big), None)
    rc2 = libc.setrlimit(res, ctypes.byref(big))
    try:
        resource.setrlimit(res, (hard * 4 + 1024, hard * 4 + 1024))
        py = "raised"
    except (ValueError, OSError):
        py = "refused"
    out[name] = [rc, rc2, py, resource.getrlimit(res)[1] == hard]
out["setuid0"] = libc.setuid(0)
out["unshare_user"] = libc.unshare(0x10000000)
out["unshare_net"] = libc.unshare(0x40000000)
out["mount"] = libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)
out["ptrace"] = libc.ptrace(16, 1, None, None)  # PTRACE_ATTACH
print("RESULT " + json.dumps(out))
"""
    result = await run_code(pool, code)
    out = _json_line(result)
    assert out["uid"] != 0
    for name in ("RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_FSIZE"):
        assert out[name] == [-1, -1, "refused", True], name
    for call in ("setuid0", "unshare_user", "unshare_net", "mount", "ptrace"):
        assert out[call] == -1, call


async def test_file_size_and_open_file_limits(pool: SandboxPool) -> None:
    code = """
import json, os
out = {}
try:
    with open("big.bin", "wb") as fh:
        for _ in range(64):
            fh.write(b"x" * (1 << 20))
    out["big"] = "written"
except OSError as e:
    out["big"] = e.errno
files = []
try:
    for _ in range(1000):
        files.append(open("/dev/null"))
except OSError as e:
    out["files"] = [len(files), e.errno]
print("RESULT " + json.dumps(out))
"""
    limits = Limits(file_size_mb=4, open_files=64)
    out = _json_line(await run_code(pool, code, limits=limits))
    assert out["big"] == 27  # EFBIG
    assert out["files"][0] < 64 and out["files"][1] == 24  # EMFILE
