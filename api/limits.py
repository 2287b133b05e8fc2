"""Request bounds: body size (MAX_CONTENT_LENGTH), JSON nesting depth, and text the database can store.

Every JSON document a client sends (HTTP bodies, WebSocket frames) is decoded by `parse_json`, so a deep
document or a lone UTF-16 surrogate is refused with a 400 naming the field before any model sees it.
"""
from __future__ import annotations

import json
from typing import Any, Iterator

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from api.errors import INVALID_JSON_MESSAGE
from core.text import has_unpaired_surrogate
from services.errors import BadRequest, InvalidParam


def refuse_oversized_body() -> None:
    """before_request: a declared Content-Length over MAX_CONTENT_LENGTH is a 413 before auth or reading.

    Bodies without a length (chunked) are cut by werkzeug's limited stream when they are read.
    """
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge(f"The request body is larger than {limit} bytes.")


def parse_json(raw: bytes | str, max_depth: int) -> Any:
    """Decode `raw`. Raises BadRequest (malformed), InvalidParam (deeper than `max_depth`, lone surrogates)."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise _too_deep("body", max_depth) from None
    except ValueError:
        raise BadRequest(INVALID_JSON_MESSAGE) from None
    check_document(data, max_depth)
    return data


def check_document(data: Any, max_depth: int) -> None:
    """Refuse nesting beyond `max_depth` and strings PostgreSQL cannot store as UTF-8. Raises InvalidParam."""
    for path, value, depth in _walk(data):
        if depth > max_depth:
            raise _too_deep(path.split(".")[0] or "body", max_depth)
        if isinstance(value, str) and has_unpaired_surrogate(value):
            field = path or "body"
            raise InvalidParam(f"{field}: contains an unpaired UTF-16 surrogate, which is not valid Unicode text.",
                               params=field)


def _walk(data: Any) -> Iterator[tuple[str, Any, int]]:
    """(dotted path, value, depth) for every value and key, iteratively (no recursion on hostile input)."""
    stack = [("", data, 0)]
    while stack:
        path, value, depth = stack.pop()
        yield path, value, depth
        if isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                yield child, key, depth + 1
                stack.append((child, item, depth + 1))
        elif isinstance(value, list):
            stack.extend((f"{path}.{index}" if path else str(index), item, depth + 1)
                         for index, item in enumerate(value))


def _too_deep(field: str, max_depth: int) -> InvalidParam:
    return InvalidParam(f"{field}: JSON is nested deeper than {max_depth} levels.", params=field)
