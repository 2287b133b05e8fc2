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
class Link:
    """An OpenAPI link: what a 200 answer gives to a follow-up call (`$response.body#/...` expressions)."""

    name: str
    operation_id: str
    parameters: tuple[tuple[str, str], ...] = ()
    request_body: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        link: dict[str, Any] = {"operationId": self.operation_id}
        if self.parameters:
            link["parameters"] = dict(self.parameters)
        if self.request_body is not None:
            link["requestBody"] = self.request_body
        return link


@dataclass(frozen=True)
class Operation:
    """What one method takes and answers.

    `response` is the 200 JSON body (None with `status=204`: no body). `stream` is the model whose
    schema each SSE `data:` payload matches, when the 200 may be `text/event-stream`. `errors` are the
    statuses, besides those every operation of its kind can answer, that carry the error body. `links`
    name the calls the 200 answer's ids lead to.
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
    links: tuple[Link, ...] = ()


def describe(summary: str, **fields: Any) -> Callable[[Callable], Callable]:
    """Attach an `Operation` to a resource method; it changes nothing at run time."""

    def mark(method: Callable) -> Callable:
        setattr(method, ATTRIBUTE, Operation(summary=summary, **fields))
        return method

    return mark


def described(method: Callable) -> Operation | None:
    """The `Operation` attached to `method`, if any."""
    return getattr(method, ATTRIBUTE, None)
