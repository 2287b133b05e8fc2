"""Runs user Python code in the sandbox process: reads {code, inputs} JSON on stdin, calls main(**inputs).

The result (``{"ok": true, "result": ...}`` or ``{"ok": false, "error_type", "error"}``) is the last
line written to the original stdout; the user's prints go to stderr. Network sockets, process
creation and file access outside the working directory are disabled before the user's code runs
(best effort inside the interpreter; the process limits and network namespace are the hard walls).
"""
import json
import os
import sys
import traceback

_NETWORK_MESSAGE = "Network access is disabled in the code sandbox"
_PROCESS_MESSAGE = "Starting processes is disabled in the code sandbox"
_FILE_MESSAGE = "File access outside the working directory is disabled in the code sandbox"


def _refuse(message: str):
    def refuse(*args, **kwargs):
        raise PermissionError(message)
    return refuse


def _block_network() -> None:
    import _socket
    import socket

    class BlockedSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            raise PermissionError(_NETWORK_MESSAGE)

    socket.socket = BlockedSocket
    _socket.socket = BlockedSocket
    for name in ("create_connection", "create_server", "getaddrinfo", "gethostbyname", "gethostbyname_ex",
                 "gethostbyaddr", "socketpair", "fromfd"):
        refuse = _refuse(_NETWORK_MESSAGE)
        setattr(socket, name, refuse)
        if hasattr(_socket, name):
            setattr(_socket, name, refuse)


def _block_processes() -> None:
    import subprocess

    names = ("system", "popen", "fork", "forkpty", "execv", "execve", "execvp", "execvpe", "execl", "execle",
             "execlp", "execlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe", "posix_spawn", "posix_spawnp", "kill")
    for name in names:
        if hasattr(os, name):
            setattr(os, name, _refuse(_PROCESS_MESSAGE))
    subprocess.Popen = _refuse(_PROCESS_MESSAGE)


def _restrict_files() -> None:
    """Let ``open`` reach only the private working directory (modules still import normally)."""
    import builtins
    import io

    work = os.path.realpath(os.getcwd())
    real_open, real_os_open = builtins.open, os.open

    def inside(path) -> bool:
        if isinstance(path, int):
            return True
        resolved = os.path.realpath(os.fspath(path))
        return resolved == work or resolved.startswith(work + os.sep)

    def guarded_open(file, *args, **kwargs):
        if not inside(file):
            raise PermissionError(_FILE_MESSAGE)
        return real_open(file, *args, **kwargs)

    def guarded_os_open(path, *args, **kwargs):
        if not inside(path):
            raise PermissionError(_FILE_MESSAGE)
        return real_os_open(path, *args, **kwargs)

    builtins.open = io.open = guarded_open
    os.open = guarded_os_open


def _call_main(code: str, inputs: dict):
    namespace = {"__name__": "__sandbox__"}
    exec(compile(code, "<code>", "exec"), namespace)
    main = namespace.get("main")
    if not callable(main):
        raise NameError("The code must define a function main(...)")
    return main(**inputs)


def run() -> dict:
    """Execute the request on stdin and describe the outcome."""
    request = json.loads(sys.stdin.read())
    _block_network()
    _block_processes()
    _restrict_files()
    try:
        result = _call_main(request["code"], request.get("inputs") or {})
        if not isinstance(result, dict):
            raise TypeError(f"main() must return a dict, not {type(result).__name__}")
        return {"ok": True, "result": result}
    except MemoryError:
        return {"ok": False, "error_type": "MemoryError", "error": "out of memory"}
    except BaseException as exc:
        lines = traceback.format_exception_only(type(exc), exc)
        return {"ok": False, "error_type": type(exc).__name__, "error": str(exc), "detail": "".join(lines)[-2000:]}


if __name__ == "__main__":
    _result_stream = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    outcome = run()
    try:
        text = json.dumps(outcome, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        text = json.dumps({"ok": False, "error_type": "TypeError", "error": f"The result is not JSON: {exc}"})
    _result_stream.write("\n" + text + "\n")
    _result_stream.flush()
