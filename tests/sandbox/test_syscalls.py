"""Dangerous system calls made directly through ctypes fail (EPERM, or ENOSYS where libc must fall back)."""
import pytest

from tests.sandbox.support import program, sandboxed

EPERM, ENOSYS = 1, 38
# x86_64 numbers: name -> (number, arguments)
CALLS = {
    "ptrace": (101, (16, 1, 0, 0)),  # PTRACE_ATTACH to pid 1
    "mount": (165, (0, 0, 0, 0)),
    "umount2": (166, (0, 0)),
    "unshare(CLONE_NEWUSER)": (272, (0x10000000,)),
    "unshare(CLONE_NEWNS)": (272, (0x00020000,)),
    "setns": (308, (0, 0)),
    "chroot": (161, (0,)),
    "pivot_root": (155, (0, 0)),
    "keyctl": (250, (0, 0)),
    "add_key": (248, (0, 0, 0, 0, 0)),
    "bpf": (321, (0, 0, 0)),
    "perf_event_open": (298, (0, 0, -1, -1, 0)),
    "personality": (135, (0x0040000,)),  # ADDR_NO_RANDOMIZE
    "userfaultfd": (323, (0,)),
    "kexec_load": (246, (0, 0, 0, 0)),
    "reboot": (169, (0, 0, 0, 0)),
    "init_module": (175, (0, 0, 0)),
    "finit_module": (313, (0, 0, 0)),
    "process_vm_readv": (310, (1, 0, 0, 0, 0, 0)),
    "io_uring_setup": (425, (1, 0)),
    "clone3": (435, (0, 0)),
    "memfd_create": (319, (0, 0)),
    "shmget": (29, (0, 1 << 20, 0o1600)),  # IPC_PRIVATE, IPC_CREAT | 0600
    "msgget": (68, (0, 0o1600)),
}
SOURCE = program("""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    def main(number, args):
        ctypes.set_errno(0)
        result = libc.syscall(ctypes.c_long(number), *[ctypes.c_long(a) for a in args])
        return {'result': result, 'errno': ctypes.get_errno()}
    """)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_dangerous_syscalls_are_refused(name):
    number, args = CALLS[name]
    result = sandboxed("python3", SOURCE, {"number": number, "args": list(args)})
    expected = ENOSYS if name in ("io_uring_setup", "clone3") else EPERM
    assert result == {"result": -1, "errno": expected}


def test_the_code_has_no_capabilities():
    source = program("""
        def main():
            lines = open('/proc/self/status').read().splitlines()
            status = dict(line.split(':\\t', 1) for line in lines if ':\\t' in line)
            return {k: status[k].strip() for k in ('CapEff', 'CapPrm', 'NoNewPrivs', 'Seccomp')}
        """)
    assert sandboxed("python3", source) == {"CapEff": "0000000000000000", "CapPrm": "0000000000000000",
                                            "NoNewPrivs": "1", "Seccomp": "2"}
