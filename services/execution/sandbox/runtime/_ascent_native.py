"""Thin ctypes layer over the Linux primitives the sandbox needs.

Python 3.11 has no ``os.unshare``/``mount``/``pivot_root``/seccomp, so they are called
through libc here. Every wrapper raises ``OSError`` with the errno on failure, so a
caller can fail closed with a precise reason. Stdlib only: this module is imported by
the worker (zygote) process, outside the service's package tree.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import struct

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.mount.argtypes = [
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_char_p,
]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]
_libc.prctl.argtypes = [ctypes.c_int, *([ctypes.c_ulong] * 4)]
_libc.sethostname.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
_libc.syscall.restype = ctypes.c_long

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWTIME = 0x00000080
NAMESPACE_FLAGS = (
    CLONE_NEWNS
    | CLONE_NEWCGROUP
    | CLONE_NEWUTS
    | CLONE_NEWIPC
    | CLONE_NEWUSER
    | CLONE_NEWPID
    | CLONE_NEWNET
    | CLONE_NEWTIME
)

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_SECCOMP = 22
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_MODE_FILTER = 2

_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _b(value: str | None) -> bytes | None:
    return None if value is None else os.fsencode(value)


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def setns(fd: int, nstype: int) -> None:
    _check(_libc.setns(fd, nstype), "setns")


def mount(
    source: str | None, target: str, fstype: str | None, flags: int = 0, data: str | None = None
) -> None:
    _check(
        _libc.mount(_b(source), _b(target), _b(fstype), flags, _b(data)),
        f"mount {target}",
    )


def bind_ro(source: str, target: str, extra: int = MS_NOSUID | MS_NODEV) -> None:
    """Bind ``source`` at ``target`` read-only (a bind needs a second remount for flags)."""
    mount(source, target, None, MS_BIND | MS_REC)
    mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | extra)


def umount2(target: str, flags: int) -> None:
    _check(_libc.umount2(_b(target), flags), f"umount {target}")


def pivot_root(new_root: str, put_old: str) -> None:
    nr = _SYS_PIVOT_ROOT.get(platform.machine())
    if nr is None:
        raise OSError(0, f"pivot_root: unsupported architecture {platform.machine()}")
    ret = _libc.syscall(ctypes.c_long(nr), _b(new_root), _b(put_old))
    _check(int(ret), "pivot_root")


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> None:
    _check(_libc.prctl(option, arg2, arg3, arg4, arg5), f"prctl({option})")


def sethostname(name: str) -> None:
    raw = name.encode()
    _check(_libc.sethostname(raw, len(raw)), "sethostname")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_SYS_CAPSET = {"x86_64": 126, "aarch64": 91}
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4


def clear_caps() -> None:
    """Empty the effective, permitted, inheritable and ambient sets. As root, setresuid to a
    non-zero uid does this; in a user namespace whose creator already has that uid it does
    not, so it is done explicitly in both modes."""
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    nr = _SYS_CAPSET.get(platform.machine())
    if nr is None:
        raise OSError(0, f"capset: unsupported architecture {platform.machine()}")
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    ret = _libc.syscall(ctypes.c_long(nr), ctypes.byref(header), ctypes.byref(data))
    _check(int(ret), "capset")


def enter_user_namespace(inner_uid: int, inner_gid: int) -> None:
    """Unprivileged: a new user namespace in which ``inner_uid``/``inner_gid`` stand for our
    own uid/gid (the only ids an unprivileged process may map). We keep every capability
    inside it — and only inside it — until ``clear_caps``."""
    outer_uid, outer_gid = os.geteuid(), os.getegid()
    unshare(CLONE_NEWUSER)
    with open("/proc/self/setgroups", "w") as fh:  # required before an unprivileged gid_map
        fh.write("deny")
    with open("/proc/self/uid_map", "w") as fh:
        fh.write(f"{inner_uid} {outer_uid} 1\n")
    with open("/proc/self/gid_map", "w") as fh:
        fh.write(f"{inner_gid} {outer_gid} 1\n")


def drop_bounding_caps() -> None:
    """Empty the capability bounding set so nothing run later can regain a capability."""
    last = int(open("/proc/sys/kernel/cap_last_cap").read().strip())
    for cap in range(last + 1):
        prctl(PR_CAPBSET_DROP, cap)


# --- seccomp -------------------------------------------------------------------------
# A hand-assembled classic-BPF deny list. It blocks the syscalls an unprivileged process
# could use to attack the kernel or the namespaces around it (new namespaces, mounts,
# ptrace, bpf, io_uring, keyrings…); everything else is left to uid/rlimit/cgroup
# enforcement. Numbers are x86_64; any other architecture fails closed.

AUDIT_ARCH_X86_64 = 0xC000003E
_X32_SYSCALL_BIT = 0x40000000

_DENY_X86_64 = {
    "ptrace": 101,
    "syslog": 103,
    "uselib": 134,
    "vhangup": 153,
    "pivot_root": 155,
    "adjtimex": 159,
    "chroot": 161,
    "acct": 163,
    "settimeofday": 164,
    "mount": 165,
    "umount2": 166,
    "swapon": 167,
    "swapoff": 168,
    "reboot": 169,
    "sethostname": 170,
    "setdomainname": 171,
    "iopl": 172,
    "ioperm": 173,
    "create_module": 174,
    "init_module": 175,
    "delete_module": 176,
    "quotactl": 179,
    "lookup_dcookie": 212,
    "clock_settime": 227,
    "kexec_load": 246,
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    "unshare": 272,
    "perf_event_open": 298,
    "name_to_handle_at": 303,
    "open_by_handle_at": 304,
    "clock_adjtime": 305,
    "setns": 308,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "kcmp": 312,
    "finit_module": 313,
    "kexec_file_load": 320,
    "bpf": 321,
    "userfaultfd": 323,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "pidfd_getfd": 438,
    "mount_setattr": 442,
}
_NR_CLONE = 56
_NR_CLONE3 = 435
_NR_SOCKET = 41
_NR_SOCKETPAIR = 53
# Socket families a run may create: AF_UNIX (multiprocessing, joblib) and IP (unroutable in
# the empty network namespace). Everything else (AF_VSOCK to the hypervisor, AF_NETLINK,
# AF_PACKET, AF_ALG, AF_KEY, AF_XDP…) fails with EAFNOSUPPORT, as on a kernel without it.
ALLOWED_SOCKET_FAMILIES = (1, 2, 10)  # AF_UNIX, AF_INET, AF_INET6

_BPF_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_BPF_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_BPF_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_BPF_JSET_K = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_BPF_RET_K = 0x06  # BPF_RET | BPF_K

_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000
_EPERM = 1
_ENOSYS = 38
_EAFNOSUPPORT = 97


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def build_seccomp_filter() -> bytes:
    """Return the raw BPF program (array of ``struct sock_filter``)."""
    if platform.machine() != "x86_64":
        raise OSError(0, f"seccomp filter not available for {platform.machine()}")
    deny = sorted(set(_DENY_X86_64.values()))
    prog: list[bytes] = [
        _insn(_BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        _insn(_BPF_JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
        _insn(_BPF_RET_K, 0, 0, _RET_KILL_PROCESS),
        _insn(_BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        _insn(_BPF_JGE_K, 0, 1, _X32_SYSCALL_BIT),
        _insn(_BPF_RET_K, 0, 0, _RET_KILL_PROCESS),
    ]
    # clone3 passes its flags in memory BPF cannot inspect: ENOSYS makes libc fall back
    # to clone(2), whose flags we can check.
    prog += [
        _insn(_BPF_JEQ_K, 0, 1, _NR_CLONE3),
        _insn(_BPF_RET_K, 0, 0, _RET_ERRNO | _ENOSYS),
        _insn(_BPF_JEQ_K, 0, 4, _NR_CLONE),
        _insn(_BPF_LD_W_ABS, 0, 0, 16),  # low 32 bits of args[0] (clone flags)
        _insn(_BPF_JSET_K, 0, 1, NAMESPACE_FLAGS),
        _insn(_BPF_RET_K, 0, 0, _RET_ERRNO | _EPERM),
        _insn(_BPF_RET_K, 0, 0, _RET_ALLOW),
    ]
    # socket(family, …) and socketpair(family, …): family is the low word of args[0].
    families = ALLOWED_SOCKET_FAMILIES
    for nr in (_NR_SOCKET, _NR_SOCKETPAIR):
        block = len(families) + 3  # LD, the family tests, RET errno, RET allow
        prog.append(_insn(_BPF_JEQ_K, 0, block, nr))
        prog.append(_insn(_BPF_LD_W_ABS, 0, 0, 16))
        for i, family in enumerate(families):
            prog.append(_insn(_BPF_JEQ_K, len(families) - i, 0, family))
        prog.append(_insn(_BPF_RET_K, 0, 0, _RET_ERRNO | _EAFNOSUPPORT))
        prog.append(_insn(_BPF_RET_K, 0, 0, _RET_ALLOW))
    # Each denied number: "if nr == N jump to the EPERM return at the end".
    n = len(deny)
    for i, nr in enumerate(deny):
        remaining = n - i - 1  # instructions between this one and the ALLOW
        prog.append(_insn(_BPF_JEQ_K, remaining + 1, 0, nr))
    prog.append(_insn(_BPF_RET_K, 0, 0, _RET_ALLOW))
    prog.append(_insn(_BPF_RET_K, 0, 0, _RET_ERRNO | _EPERM))
    return b"".join(prog)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install_seccomp(program: bytes) -> None:
    """Install ``program``; requires no_new_privs (set here) since we run unprivileged."""
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    buf = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buf, ctypes.c_void_p))
    ret = _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0)
    _check(ret, "seccomp")
