"""Warm sandbox worker ("zygote").

Started by ``SandboxPool`` as ``python -I -B _ascent_zygote.py <config-json>`` with a
cleared environment and a SOCK_SEQPACKET control socket on fd 3. It:

1. enters its own mount and network namespaces (the net namespace has only a downed
   loopback, so nothing forked from here can reach any address, 127.0.0.1 included),
2. builds a minimal read-only root (tmpfs + read-only binds of /usr, the interpreter
   prefix, the venv and the in-sandbox helper library — never /root, /etc or the service
   data), then
3. imports numpy/pandas/scikit-learn/matplotlib once and waits for runs.

Each run is one ``fork()``: the child becomes pid 1 of a fresh pid namespace, moves itself
into the slot's cgroups, unshares mount/IPC/UTS namespaces, mounts its private /proc,
/tmp, home and /data, pivots into the prepared root, drops to the slot's uid, sets
rlimits and a seccomp filter, and only then executes the learner's code. The zygote
itself never reads learner code or output (they travel on fds passed straight from the
service), so no run's data sits in the heap that the next run's fork inherits.

Protocol (one JSON object per datagram): service→worker ``run`` (+fds) / ``kill`` /
``exit``; worker→service ``ready`` / ``fatal`` / ``exited``.
"""

from __future__ import annotations

import ast
import json
import math
import os
import select
import signal
import socket
import sys
import time
from typing import Any

CTRL_FD = 3
SIDE_FD = 3  # fd number of the side channel inside the learner process
SETUP_FAILED_EXIT = 111
HOME = "/home/learner"
LEARNER_FILENAME = "main.py"
MAX_FIGURES = 20
MAX_TRACEBACK_FRAMES = 60

# A run's entire environment: the zygote's own (``pool.ZYGOTE_ENV``, nothing of the
# service) plus who the learner is. Filled in main() before warm-up changes anything.
SAFE_ENV: dict[str, str] = {}
_LEARNER_ENV = {
    "HOME": HOME,
    "USER": "learner",
    "LOGNAME": "learner",
    "TMPDIR": "/tmp",
    "MPLCONFIGDIR": "/tmp/matplotlib",
}


def _send(sock: socket.socket, msg: dict[str, Any]) -> None:
    sock.send(json.dumps(msg).encode())


# --- one-time setup (runs as root, before any heavy import) ------------------------------


def _mkdirs(root: str, path: str) -> str:
    target = os.path.join(root, path.lstrip("/"))
    os.makedirs(target, mode=0o755, exist_ok=True)
    return target


def _write(root: str, path: str, content: bytes, mode: int = 0o644) -> None:
    target = os.path.join(root, path.lstrip("/"))
    with open(target, "wb") as fh:
        fh.write(content)
    os.chmod(target, mode)


def _covered(path: str, bound: list[str]) -> bool:
    return any(path == b or path.startswith(b.rstrip("/") + "/") for b in bound)


def build_root(cfg: dict[str, Any]) -> None:
    import _ascent_native as n

    root = cfg["root_dir"]
    # Slave, not private: host mounts made later (e.g. a new dataset volume) still
    # propagate in, while our mounts never propagate out to the host.
    n.mount(None, "/", None, n.MS_REC | (1 << 19))  # MS_SLAVE
    n.mount("tmpfs", root, "tmpfs", n.MS_NOSUID | n.MS_NODEV, "mode=755,size=8m")
    for d in ("etc", "proc", "tmp", "data", "dev", HOME.lstrip("/"), "usr"):
        _mkdirs(root, d)

    bound: list[str] = []
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            os.symlink(os.readlink(top), os.path.join(root, top.lstrip("/")))
        elif os.path.isdir(top):
            n.bind_ro(top, _mkdirs(root, top))
            bound.append(top)
    # Interpreter prefix, venv, helper library: same absolute paths inside, so modules
    # imported by the zygote (and their data files, e.g. sklearn's datasets) resolve.
    for path in sorted({os.path.realpath(p) for p in cfg["ro_paths"]}, key=len):
        if _covered(path, bound):
            continue
        n.bind_ro(path, _mkdirs(root, path))
        bound.append(path)
    links: list[str] = []
    for p in cfg["ro_paths"]:  # e.g. the venv given through a symlinked path
        if os.path.islink(p) and not os.path.lexists(os.path.join(root, p.lstrip("/"))):
            _mkdirs(root, os.path.dirname(p))
            os.symlink(os.readlink(p), os.path.join(root, p.lstrip("/")))
            links.append(p)
    # A checkout under /tmp (say) has its venv bound inside the run's scratch mount points;
    # each run mounts fresh tmpfs there and must bind those paths again (see _rebind).
    cfg["_bound"], cfg["_links"] = bound, links

    uid, gid = cfg["uid"], cfg["gid"]
    _write(
        root,
        "/etc/passwd",
        f"root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
        f"learner:x:{uid}:{gid}:learner:{HOME}:/bin/sh\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n".encode(),
    )
    _write(root, "/etc/group", f"root:x:0:\nlearner:x:{gid}:\nnogroup:x:65534:\n".encode())
    _write(root, "/etc/hosts", b"127.0.0.1 localhost sandbox\n")
    _write(root, "/etc/hostname", b"sandbox\n")
    _write(root, "/etc/resolv.conf", b"")
    _write(root, "/etc/nsswitch.conf", b"passwd: files\ngroup: files\nhosts: files\n")
    for name in ("/etc/ld.so.cache", "/etc/localtime"):
        if os.path.exists(name):
            with open(name, "rb") as fh:
                _write(root, name, fh.read())

    dev = os.path.join(root, "dev")
    n.mount("tmpfs", dev, "tmpfs", n.MS_NOSUID | n.MS_NOEXEC, "mode=755,size=64k")
    for node in ("null", "zero", "full", "random", "urandom"):
        target = os.path.join(dev, node)
        open(target, "w").close()
        n.mount(f"/dev/{node}", target, None, n.MS_BIND)
        n.mount(None, target, None, n.MS_REMOUNT | n.MS_BIND | n.MS_NOSUID | n.MS_NOEXEC)
    os.mkdir(os.path.join(dev, "shm"))
    for name, dest in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(dest, os.path.join(dev, name))
    ro = n.MS_REMOUNT | n.MS_RDONLY | n.MS_NOSUID
    n.mount(None, dev, None, ro | n.MS_NOEXEC)
    n.mount(None, root, None, ro | n.MS_NODEV)


def warm_up() -> None:
    """Import and exercise the learner stack once so a run pays only for its own work."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import ascent_report
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    import scipy.optimize
    import scipy.stats  # noqa: F401

    # shap (the Model Explainability Suite's library, importable in learner code too) took
    # 8.8 s to import (with numba) on the loaded 2-core host, more than its TreeSHAP of 10,000
    # rows of a boosted model (3.5 s): imported once here, every run forks it warm.
    import shap  # type: ignore[import-untyped]  # noqa: F401
    import sklearn.cluster
    import sklearn.compose
    import sklearn.decomposition
    import sklearn.ensemble
    import sklearn.impute
    import sklearn.naive_bayes
    import sklearn.neighbors
    import sklearn.pipeline
    import sklearn.preprocessing
    import sklearn.svm
    import sklearn.tree  # noqa: F401
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.metrics import accuracy_score, classification_report, confusion_matrix
    from sklearn.model_selection import train_test_split

    iris = load_iris()
    x = pd.DataFrame(iris.data, columns=iris.feature_names)
    df = pd.read_csv(io.StringIO(x.assign(target=iris.target).to_csv(index=False)))
    x, y = df.iloc[:, :-1], df.iloc[:, -1]
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, random_state=42)
    model = LogisticRegression(max_iter=200).fit(x_tr, y_tr)
    pred = model.predict(x_te)
    accuracy_score(y_te, pred)
    confusion_matrix(y_te, pred)
    classification_report(y_te, pred)
    LinearRegression().fit(x_tr, np.asarray(y_tr, dtype=float))
    ascent_report._warm_up(model, y_te, pred)
    fig = plt.figure()
    plt.plot([1, 2, 3], [1, 4, 9])
    fig.savefig(io.BytesIO(), format="png")
    plt.close("all")


# --- per-run child --------------------------------------------------------------------


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _setup_child(cfg: dict[str, Any], req: dict[str, Any], fds: list[int]) -> bytes:
    """Enter the sandbox. Returns the learner's code; raises on any failure."""
    import resource

    import _ascent_native as n

    code_fd, out_fd, err_fd, _side_fd = fds[:4]  # side channel is already on SIDE_FD
    os.setsid()
    # cgroup v2: the run's own fresh cgroup came with the request (fds[4]); v1: the slot's.
    for cg_fd in fds[4:5] if req.get("cgroup_fd") else cfg["_cgroup_fds"]:
        os.write(cg_fd, b"0")
    n.unshare(n.CLONE_NEWNS | n.CLONE_NEWIPC | n.CLONE_NEWUTS)
    n.sethostname("sandbox")
    n.mount(None, "/", None, n.MS_REC | n.MS_PRIVATE)

    limits = req["limits"]
    uid, gid = cfg["uid"], cfg["gid"]
    root = cfg["root_dir"]
    nosuid_nodev = n.MS_NOSUID | n.MS_NODEV
    scratch_mb = max(16, min(int(limits["memory_mb"]), 512))
    owner = f"uid={uid},gid={gid}"
    n.mount("tmpfs", root + HOME, "tmpfs", nosuid_nodev, f"mode=700,{owner},size={scratch_mb}m")
    n.mount("tmpfs", root + "/tmp", "tmpfs", nosuid_nodev, f"mode=1777,size={scratch_mb}m")
    n.mount(
        "tmpfs",
        root + "/dev/shm",
        "tmpfs",
        nosuid_nodev | n.MS_NOEXEC,
        f"mode=1777,size={scratch_mb}m",
    )
    data = root + "/data"
    n.mount("tmpfs", data, "tmpfs", nosuid_nodev | n.MS_NOEXEC, "mode=755,size=64k")
    _rebind(cfg, root, (HOME, "/tmp", "/dev/shm", "/data"))
    for name, host_path in req["inputs"]:
        target = os.path.join(data, name)
        open(target, "w").close()
        n.bind_ro(host_path, target, n.MS_NOSUID | n.MS_NODEV | n.MS_NOEXEC)
    n.mount(None, data, None, n.MS_REMOUNT | n.MS_RDONLY | nosuid_nodev | n.MS_NOEXEC)
    n.mount("proc", root + "/proc", "proc", nosuid_nodev | n.MS_NOEXEC)

    os.chdir(root)
    n.pivot_root(".", ".")
    n.umount2(".", n.MNT_DETACH)
    os.chdir("/")
    os.chdir(HOME)

    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    code = _read_all(code_fd)
    os.closerange(SIDE_FD + 1, 1 << 16)

    n.drop_bounding_caps()
    if not cfg["rootless"]:  # in a user namespace setgroups is denied (see README)
        os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    n.clear_caps()
    n.prctl(n.PR_SET_PDEATHSIG, signal.SIGKILL)

    # soft == hard: as pid 1 of its namespace the learner is immune to SIGXCPU (the
    # kernel drops default-action signals to a namespace init), so SIGKILL it is.
    cpu = max(1, math.ceil(limits["cpu_seconds"]))
    mem = int(limits["memory_mb"]) << 20
    # RLIMIT_AS is a backstop that turns one huge allocation into a clean MemoryError;
    # the memory cgroup is the real limit on what is resident.
    vm_now = int(cfg["_vm_bytes"])
    for res, value in (
        (resource.RLIMIT_CPU, (cpu, cpu)),
        (resource.RLIMIT_AS, (vm_now + mem + (256 << 20),) * 2),
        (resource.RLIMIT_NPROC, (int(limits["max_processes"]),) * 2),
        (resource.RLIMIT_FSIZE, (int(limits["file_size_mb"]) << 20,) * 2),
        (resource.RLIMIT_NOFILE, (int(limits["open_files"]),) * 2),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_MEMLOCK, (0, 0)),
        (resource.RLIMIT_MSGQUEUE, (0, 0)),
        (resource.RLIMIT_RTPRIO, (0, 0)),
    ):
        # Never above the hard limit we were given: raising it needs a privilege a rootless
        # service does not have, and a lower host limit is the stricter one anyway.
        hard = resource.getrlimit(res)[1]
        if hard != resource.RLIM_INFINITY and hard >= 0:
            value = (min(value[0], hard), min(value[1], hard))
        resource.setrlimit(res, value)
    n.install_seccomp(cfg["_seccomp"])

    # Verify from the inside rather than trusting that every call above did its job.
    status = open("/proc/self/status").read()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    problems = []
    if os.getuid() == 0 or os.geteuid() == 0 or os.getgid() == 0:
        problems.append("still root")
    if int(fields["CapEff"].strip(), 16) or int(fields["CapPrm"].strip(), 16):
        problems.append("capabilities left")
    if fields.get("Seccomp", "").strip() != "2":
        problems.append("seccomp not active")
    if fields.get("NoNewPrivs", "").strip() != "1":
        problems.append("no_new_privs not set")
    if os.getpid() != 1:
        problems.append("not in a fresh pid namespace")
    if os.path.exists("/etc/shadow") or os.path.exists(cfg["root_dir"]):
        problems.append("host filesystem visible")
    if problems:
        raise RuntimeError("isolation self-check failed: " + ", ".join(problems))
    return code


def _rebind(cfg: dict[str, Any], root: str, mount_points: tuple[str, ...]) -> None:
    """Bind again the read-only paths that a fresh per-run mount just covered."""
    import _ascent_native as n

    for path in cfg["_bound"]:
        if _covered(path, list(mount_points)):
            n.bind_ro(path, _mkdirs(root, path))
    for path in cfg["_links"]:
        if _covered(path, list(mount_points)):
            _mkdirs(root, os.path.dirname(path))
            os.symlink(os.readlink(path), os.path.join(root, path.lstrip("/")))


def _child(cfg: dict[str, Any], req: dict[str, Any], fds: list[int]) -> None:
    import ascent_report

    # First thing: the side channel replaces the inherited control socket on fd 3, so
    # nothing below can talk to the service except through the channels given to it.
    os.dup2(fds[3], SIDE_FD)
    ascent_report._configure(SIDE_FD)
    try:
        code = _setup_child(cfg, req, fds)
    except BaseException as exc:
        try:
            ascent_report._send_json({"t": "setup_error", "message": f"{exc}"})
        finally:
            os._exit(SETUP_FAILED_EXIT)
    ascent_report._send_json({"t": "ready"})
    os._exit(_run_learner(code))


def _capture_figures() -> None:
    import io

    import ascent_report
    import matplotlib.pyplot as plt

    for num in plt.get_fignums():
        if ascent_report._figures_sent >= MAX_FIGURES:
            break
        fig = plt.figure(num)
        buf = io.BytesIO()
        try:
            fig.savefig(buf, format="png", bbox_inches="tight")
        except Exception:
            continue
        ascent_report._send_figure(buf.getvalue())
    plt.close("all")


def _learner_frames(exc: BaseException) -> list[str]:
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == LEARNER_FILENAME]
    if len(frames) > MAX_TRACEBACK_FRAMES:
        half = MAX_TRACEBACK_FRAMES // 2
        frames = frames[:half] + frames[-half:]
    return list(traceback.StackSummary.from_list(frames).format())


def _report_exception(exc: BaseException) -> None:
    import traceback

    import ascent_report

    if isinstance(exc, SyntaxError):
        lines = traceback.format_exception_only(type(exc), exc)
        frames, message = lines[:-1], str(exc)
    else:
        frames, message = _learner_frames(exc), str(exc)
    head = traceback.format_exception_only(type(exc), exc)[-1]
    text = "".join(["Traceback (most recent call last):\n", *frames, head])
    if isinstance(exc, SyntaxError):
        text = "".join([*frames, head])
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except Exception:
        pass
    ascent_report._send_json(
        {"t": "error", "type": type(exc).__name__, "message": message, "traceback": frames}
    )


def _split_last_expression(source: str) -> tuple[ast.Module, ast.Expression | None]:
    """The code, and its last statement apart when it is an expression: Jupyter displays
    that value. A trailing `;` hides it, as in Jupyter."""
    tree = ast.parse(source, LEARNER_FILENAME)
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return tree, None
    last = tree.body[-1]
    line = source.splitlines()[(last.end_lineno or last.lineno) - 1].encode()
    if line[last.end_col_offset or 0 :].decode(errors="replace").lstrip().startswith(";"):
        return tree, None
    tree.body.pop()
    return tree, ast.Expression(last.value)


def _run_learner(code_bytes: bytes) -> int:
    import io
    import linecache
    import random
    import tempfile
    import types

    import matplotlib.pyplot as plt
    import numpy as np

    os.environ.clear()
    os.environ.update(SAFE_ENV)
    sys.stdin = open(0, encoding="utf-8", closefd=False)
    for name, fd in (("stdout", 1), ("stderr", 2)):
        # Line-buffered like a terminal: each printed line reaches the caller at once,
        # as one chunk.
        raw = io.BufferedWriter(io.FileIO(fd, "w", closefd=False))
        stream = io.TextIOWrapper(
            raw, encoding="utf-8", errors="backslashreplace", line_buffering=True
        )
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    sys.argv = [LEARNER_FILENAME]
    sys.path = [HOME, *[p for p in sys.path if p and os.path.isdir(p)]]
    sys.dont_write_bytecode = True
    tempfile.tempdir = None
    # Every fork inherits the zygote's PRNG state; reseed so runs don't share sequences.
    random.seed()
    np.random.seed(int.from_bytes(os.urandom(4), "little"))

    def show(*_args: Any, **_kwargs: Any) -> None:
        _capture_figures()

    plt.show = show

    source = code_bytes.decode("utf-8", errors="replace")
    linecache.cache[LEARNER_FILENAME] = (
        len(source),
        None,
        source.splitlines(keepends=True),
        LEARNER_FILENAME,
    )
    main = types.ModuleType("__main__")
    main.__file__ = LEARNER_FILENAME
    main.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = main
    exit_code = 0
    try:
        body, last = _split_last_expression(source)
        exec(compile(body, LEARNER_FILENAME, "exec", dont_inherit=True), main.__dict__)
        if last is not None:
            value = eval(compile(last, LEARNER_FILENAME, "eval", dont_inherit=True), main.__dict__)
            if value is not None:
                import ascent_report

                ascent_report._display(value)
    except SystemExit as exc:
        if exc.code is None:
            exit_code = 0
        elif isinstance(exc.code, int):
            exit_code = exc.code & 0xFF
        else:
            print(exc.code, file=sys.stderr)
            exit_code = 1
    except BaseException as exc:
        _report_exception(exc)
        exit_code = 1
    try:
        _capture_figures()
    except BaseException:
        pass
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    return exit_code


# --- supervisor loop ------------------------------------------------------------------


def _serve(sock: socket.socket, cfg: dict[str, Any]) -> None:
    import _ascent_native as n

    own_pidns = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    while True:
        msg_bytes, fds, _flags, _addr = socket.recv_fds(sock, 65536, 64)
        if not msg_bytes:
            return
        req = json.loads(msg_bytes)
        if req["op"] == "exit":
            return
        if req["op"] != "run":
            for fd in fds:
                os.close(fd)
            continue
        # The next fork lands in a brand-new pid namespace as its pid 1.
        n.setns(own_pidns, n.CLONE_NEWPID)
        n.unshare(n.CLONE_NEWPID)
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            try:
                _child(cfg, req, fds)
            finally:
                os._exit(SETUP_FAILED_EXIT)
        for fd in fds:
            os.close(fd)
        _supervise(sock, req, pid, started)


def _supervise(sock: socket.socket, req: dict[str, Any], pid: int, started: float) -> None:
    pidfd = os.pidfd_open(pid)
    deadline = started + float(req["limits"]["wall_seconds"])
    reason: str | None = None
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    poller.register(sock, select.POLLIN)
    try:
        while True:
            timeout_ms = max(0, int((deadline - time.monotonic()) * 1000))
            events = poller.poll(timeout_ms if reason is None else None)
            if not events and reason is None:
                reason = "wall"
                os.kill(pid, signal.SIGKILL)
                continue
            if any(fd == pidfd for fd, _ in events):
                break
            if any(fd == sock.fileno() for fd, _ in events):
                data = sock.recv(65536)
                if not data:  # the service is gone: take the run down with us
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    sys.exit(0)
                msg = json.loads(data)
                if msg.get("op") == "kill" and reason is None:
                    reason = str(msg.get("reason", "killed"))
                    os.kill(pid, signal.SIGKILL)
        _, status, usage = os.wait4(pid, 0)
    finally:
        os.close(pidfd)
    _send(
        sock,
        {
            "ev": "exited",
            "run_id": req["run_id"],
            "status": status,
            "reason": reason,
            "duration_ms": int((time.monotonic() - started) * 1000),
            "cpu_ms": int((usage.ru_utime + usage.ru_stime) * 1000),
            "maxrss_kb": int(usage.ru_maxrss),
        },
    )


def _enter_rootless(sock: socket.socket, cfg: dict[str, Any]) -> None:
    """Not root: a user namespace of our own gives us the capabilities to build the
    sandbox, valid only over the namespaces it owns. Then we fork into a pid namespace
    that it owns too, as its pid 1: per run, ``setns`` back into our own pid namespace
    needs CAP_SYS_ADMIN over it, which we do not have over the host's. The first process
    only waits; the service's kill of the process group reaches both."""
    import _ascent_native as n

    try:
        n.enter_user_namespace(cfg["uid"], cfg["gid"])
    except OSError as exc:
        raise OSError(
            exc.errno,
            f"rootless mode needs unprivileged user namespaces, which this kernel "
            f"refuses ({exc.strerror}); start as root or allow them",
        ) from None
    n.unshare(n.CLONE_NEWPID)
    pid = os.fork()
    if pid == 0:
        n.prctl(n.PR_SET_PDEATHSIG, signal.SIGKILL)
        return
    sock.close()  # only the pid 1 below talks to the service
    _, status = os.waitpid(pid, 0)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def main() -> None:
    cfg = json.loads(sys.argv[1])
    SAFE_ENV.update(os.environ)
    SAFE_ENV.update(_LEARNER_ENV)
    if cfg["ctrl_fd"] != CTRL_FD:  # the run's side channel reuses this fd number later
        os.dup2(cfg["ctrl_fd"], CTRL_FD)
        os.close(cfg["ctrl_fd"])
    sock = socket.socket(fileno=CTRL_FD)
    try:
        import _ascent_native as n

        n.prctl(n.PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != cfg["parent_pid"]:
            sys.exit(1)
        if cfg["rootless"]:
            _enter_rootless(sock, cfg)
        # Must happen while still single-threaded, before numpy & co. are imported.
        n.unshare(n.CLONE_NEWNS | n.CLONE_NEWNET)
        build_root(cfg)
        cfg["_seccomp"] = n.build_seccomp_filter()
        cfg["_cgroup_fds"] = [os.open(p, os.O_WRONLY | os.O_CLOEXEC) for p in cfg["cgroup_procs"]]
        os.environ["MPLCONFIGDIR"] = cfg["mpl_config_dir"]
        warm_up()
        os.environ["MPLCONFIGDIR"] = SAFE_ENV["MPLCONFIGDIR"]
        with open("/proc/self/status") as fh:
            vm = next(line for line in fh if line.startswith("VmSize:"))
        cfg["_vm_bytes"] = int(vm.split()[1]) * 1024
    except BaseException as exc:
        _send(sock, {"ev": "fatal", "error": f"{type(exc).__name__}: {exc}"})
        sys.exit(1)
    import gc

    gc.collect()
    gc.freeze()  # keep the shared heap's pages shared across forks
    _send(sock, {"ev": "ready", "pid": os.getpid()})
    _serve(sock, cfg)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
