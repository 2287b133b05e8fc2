"""Runs user Python code inside the sandbox: reads {code, inputs, path} JSON on stdin, calls main(**inputs).

Started as ``python -I -S -c <this file>``. The result (``{"ok": true, "result": ...}`` or
``{"ok": false, "error_type", "error"}``) is the last line written to the original stdout; the
user's prints go to stderr. This file enforces nothing: the operating system does (see __init__).
"""
import errno
import json
import os
import sys
import traceback


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
    sys.path[:0] = request.get("path") or []  # the operator's extra packages
    try:
        result = _call_main(request["code"], request.get("inputs") or {})
        if not isinstance(result, dict):
            raise TypeError(f"main() must return a dict, not {type(result).__name__}")
        return {"ok": True, "result": result}
    except MemoryError:
        return {"ok": False, "error_type": "MemoryError", "error": "out of memory"}
    except OSError as exc:
        if exc.errno == errno.ENOMEM:  # mmap & co. under RLIMIT_AS
            return {"ok": False, "error_type": "MemoryError", "error": "out of memory"}
        return _failure(exc)
    except BaseException as exc:
        return _failure(exc)


def _failure(exc: BaseException) -> dict:
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
