"""Reading ``data:`` payloads from a Server-Sent Events byte stream."""
from typing import Iterable, Iterator


def iter_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Split a byte stream into decoded lines (CRLF, LF or CR terminated).

    Bytes are split before UTF-8 decoding, so a multi-byte character cut across
    chunks is reassembled intact. A final unterminated line is yielded at EOF.
    """
    pending = b""
    for chunk in chunks:
        pending += chunk
        lines, pending = _complete_lines(pending)
        for line in lines:
            yield line.decode("utf-8", errors="replace")
    if pending:
        yield pending.rstrip(b"\r").decode("utf-8", errors="replace")


def _complete_lines(buffer: bytes) -> tuple[list[bytes], bytes]:
    # A trailing CR may be the first half of CRLF: keep it until the next chunk.
    keep_cr = buffer.endswith(b"\r")
    body = buffer[:-1] if keep_cr else buffer
    parts = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    rest = parts.pop() + (b"\r" if keep_cr else b"")
    return parts, rest


def iter_sse_data(chunks: Iterable[bytes]) -> Iterator[str]:
    """Yield the payload of each ``data:`` line; comments, other fields and blank lines are skipped.

    OpenAI-compatible servers put one JSON document (or ``[DONE]``) per data
    line, so each line is a payload of its own. Lines are split as bytes, every
    line of a read at once, and only payloads are decoded (one read often holds
    many events).
    """
    for line in _byte_lines(chunks):
        if line[:5] != b"data:":
            continue
        payload = line[6:] if line[5:6] == b" " else line[5:]
        if payload.strip():
            yield payload.decode("utf-8", errors="replace")


def _byte_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    pending = b""
    for chunk in chunks:
        pending = pending + chunk if pending else chunk
        if b"\r" in pending:
            lines, pending = _complete_lines(pending)
        else:
            lines = pending.split(b"\n")
            pending = lines.pop()
        yield from lines
    if pending:
        yield pending.rstrip(b"\r")
