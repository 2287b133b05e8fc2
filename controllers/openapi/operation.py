"""The metadata a resource method carries for the OpenAPI document."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from pydantic import BaseModel

ATTRIBUTE = "__openapi__"


@dataclass(frozen=True)
class Header:
    """A request header the operation reads."""

    name: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class Operation:
    """What one method takes and answers.

    `response` is the 200 JSON body (None with `status=204`: no body). `stream` is the model whose
    schema each SSE `data:` payload matches, when the 200 may be `text/event-stream`. `errors` are the
    statuses, besides those every operation of its kind can answer, that carry the error body.
    """

    summary: str
    response: type[BaseModel] | None = None
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    headers: tuple[Header, ...] = ()
    stream: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    description: str = ""


def describe(summary: str, **fields: Any) -> Callable[[Callable], Callable]:
    """Attach an `Operation` to a resource method; it changes nothing at run time."""

    def mark(method: Callable) -> Callable:
        setattr(method, ATTRIBUTE, Operation(summary=summary, **fields))
        return method

    return mark


def described(method: Callable) -> Operation | None:
    """The `Operation` attached to `method`, if any."""
    return getattr(method, ATTRIBUTE, None)
