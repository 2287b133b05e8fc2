"""Reference upstream: an OpenAI-style streaming chat endpoint on gevent raw sockets.

    python -m bench.refs.ref_upstream [--port 0]      # prints its base URL, serves until stdin closes

The last user message `bench n=<tokens> pace=<seconds>` asks for `n` content chunks `pace` seconds apart
(default 10 chunks, unpaced). Every event is one HTTP chunk written on its own, as a model server writes it.
HTTP/1.1 requests get chunked keep-alive responses; HTTP/1.0 requests (the bench's own load generator) get a
plain body ended by closing the connection. Kept minimal so that it is never what a benchmark measures.
"""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from gevent import os as gevent_os  # noqa: E402
from gevent.server import StreamServer  # noqa: E402

QUERY = re.compile(rb"bench n=(\d+) pace=([\d.]+)")
HEAD_11 = (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n")
HEAD_10 = b"HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"


def _event(delta: dict, finish: str | None = None) -> bytes:
    """One `data:` frame of a chat.completion.chunk (built once per token text, see TOKENS)."""
    chunk = {"id": "chatcmpl-ref", "object": "chat.completion.chunk", "created": int(time.time()),
             "model": "gpt-ref", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n"


TOKENS = [_event({"content": f"t{index:03d}"}) for index in range(1000)]


def _tail() -> list[bytes]:
    usage = {"id": "chatcmpl-ref", "object": "chat.completion.chunk", "created": int(time.time()), "model": "gpt-ref",
             "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10}}
    return [_event({}, "stop"), b"data: " + json.dumps(usage).encode() + b"\n\n", b"data: [DONE]\n\n"]


def _read_request(sock, buffer: bytes) -> tuple[bytes, bytes, bytes] | None:
    """(request line, body, rest of buffer), or None when the client closed."""
    while b"\r\n\r\n" not in buffer:
        data = sock.recv(65536)
        if not data:
            return None
        buffer += data
    head, buffer = buffer.split(b"\r\n\r\n", 1)
    match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    length = int(match[1]) if match else 0
    while len(buffer) < length:
        data = sock.recv(65536)
        if not data:
            return None
        buffer += data
    return head.split(b"\r\n", 1)[0], buffer[:length], buffer[length:]


def _reply(sock, body: bytes, http10: bool) -> None:
    match = QUERY.search(body)
    count, pace = (int(match[1]), float(match[2])) if match else (10, 0.0)
    send = sock.sendall if http10 else (lambda data: sock.sendall(b"%x\r\n%s\r\n" % (len(data), data)))
    sock.sendall(HEAD_10 if http10 else HEAD_11)
    send(_event({"role": "assistant", "content": ""}))
    for index in range(count):
        if pace and index:
            time.sleep(pace)
        send(TOKENS[index % 1000])
    for data in _tail():
        send(data)
    if not http10:
        sock.sendall(b"0\r\n\r\n")


def handle(sock, _address) -> None:
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as model servers do: no Nagle wait per token
    buffer = b""
    try:
        while True:
            request = _read_request(sock, buffer)
            if request is None:
                return
            line, body, buffer = request
            http10 = line.endswith(b"HTTP/1.0")
            _reply(sock, body, http10)
            if http10:
                return
    except OSError:
        return
    finally:
        sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = StreamServer(("127.0.0.1", args.port), handle, backlog=4096)
    server.start()
    print(f"http://127.0.0.1:{server.server_port}/v1", flush=True)
    gevent_os.make_nonblocking(sys.stdin.fileno())
    while gevent_os.nb_read(sys.stdin.fileno(), 4096):  # serve until the parent closes our stdin (or goes away)
        pass
    server.stop(timeout=1)


if __name__ == "__main__":
    main()
