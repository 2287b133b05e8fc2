"""Sandbox launcher: ``python -I launch.py <as_bytes> <cpu_seconds> <file_bytes> -- <command...>``.

Sets the resource limits on itself, then execs the command (which inherits them). Running this in
the child instead of a ``preexec_fn`` keeps process creation safe in a multi-threaded parent.
"""
import os
import resource
import sys


def main(argv: list[str]) -> None:
    """Apply limits (0 = leave unlimited) and exec ``argv`` after ``--``."""
    address_space, cpu_seconds, file_bytes = (int(value) for value in argv[1:4])
    command = argv[argv.index("--") + 1:]
    if address_space:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    if cpu_seconds:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    if file_bytes:
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv)
