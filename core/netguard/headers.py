"""Header names and values that cannot split or forge a request."""
from __future__ import annotations

import re
from typing import Iterable

from core.netguard.errors import HeaderRefused

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 field-name
_BREAKING = re.compile(r"[\r\n\x00]")


def header_problem(name: str, value: str) -> str | None:
    """Why ``name: value`` may not be sent (a sentence naming the header), or None when it is safe."""
    if not _TOKEN.match(name):
        return (f"Invalid HTTP header name {name!r}: only letters, digits and !#$%&'*+-.^_`|~ are allowed "
                "(no spaces, line breaks or colons)")
    if _BREAKING.search(value):
        return (f"Invalid value for HTTP header '{name}': line breaks (CR, LF) and NUL characters are not "
                "allowed in header values")
    return None


def check_headers(headers: Iterable[tuple[str | bytes, str | bytes]]) -> None:
    """Raise HeaderRefused for the first unsafe header; ``bytes`` are read as Latin-1 like on the wire."""
    for name, value in headers:
        problem = header_problem(_text(name), _text(value))
        if problem:
            raise HeaderRefused(problem)


def _text(part: str | bytes) -> str:
    return part.decode("latin-1") if isinstance(part, bytes) else str(part)
