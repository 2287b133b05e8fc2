"""The seccomp filter every sandboxed process runs under, as a BPF program for ``bwrap --seccomp``.

Default allow, with a deny list: process creation (only threads may be cloned), network sockets
(any family but AF_UNIX), namespaces, mounts, tracing, kernel keyrings, BPF, perf, modules,
io_uring, memory outside RLIMIT_AS (SysV IPC, memfd) and other kernel surfaces a code node never
needs. ``clone3`` and io_uring answer ENOSYS, so glibc and libuv fall back to ``clone`` (threads
only) and to their thread pool.
"""
import errno
import functools
import tempfile

import pyseccomp as seccomp

AF_UNIX = 1
CLONE_THREAD = 0x00010000
_CLONE_NAMESPACES = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080)
DENIED = (
    "fork", "vfork", "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "fsopen", "fsmount", "fsconfig", "fspick",
    "move_mount", "open_tree", "mount_setattr", "open_by_handle_at", "name_to_handle_at", "fanotify_init",
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "personality",
    "kexec_load", "kexec_file_load", "reboot", "init_module", "finit_module", "delete_module",
    "quotactl", "swapon", "swapoff", "acct", "syslog", "vhangup", "iopl", "ioperm",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    # memory that RLIMIT_AS does not count: SysV segments and message queues outlive a detach, memfds an unmap
    "shmget", "msgget", "semget", "memfd_create", "memfd_secret",
)
NOT_IMPLEMENTED = ("clone3", "io_uring_setup", "io_uring_enter", "io_uring_register")


@functools.lru_cache(maxsize=1)
def bpf_program() -> bytes:
    """The compiled filter (built once per process)."""
    flt = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in DENIED:
        _deny(flt, seccomp.ERRNO(errno.EPERM), name)
    for name in NOT_IMPLEMENTED:
        _deny(flt, seccomp.ERRNO(errno.ENOSYS), name)
    # no network: only AF_UNIX sockets (asyncio's self-pipe), which reach nothing outside the namespaces
    for name in ("socket", "socketpair"):
        flt.add_rule(seccomp.ERRNO(errno.EPERM), name, seccomp.Arg(0, seccomp.NE, AF_UNIX))
    # clone without CLONE_THREAD makes a process; any namespace flag makes a namespace
    flt.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    for flag in _CLONE_NAMESPACES:
        flt.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    with tempfile.TemporaryFile() as handle:
        flt.export_bpf(handle)
        handle.seek(0)
        return handle.read()


def _deny(flt, action: int, name: str) -> None:
    try:
        flt.add_rule(action, name)
    except (OSError, ValueError, RuntimeError):
        pass  # a syscall this libseccomp or architecture does not know cannot be called here either
