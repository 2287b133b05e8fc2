"""Request parsing into pydantic models; failures reach the one error renderer as 400s."""
from __future__ import annotations

from typing import Annotated, TypeVar
from uuid import UUID

from flask import request
from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema
from werkzeug.exceptions import BadRequest

from api.errors import INVALID_JSON_MESSAGE

M = TypeVar("M", bound=BaseModel)


def blank_is_none(value):
    """Empty query values mean "absent"."""
    return None if value == "" else value


# The front end sends empty cursors (`last_id=`); they mean "from the start".
OptionalUUID = Annotated[UUID | None, BeforeValidator(blank_is_none),
                         WithJsonSchema({"anyOf": [{"type": "string", "format": "uuid"}, {"const": ""}],
                                         "description": "A UUID; empty means none."})]
OptionalBool = Annotated[bool | None, BeforeValidator(blank_is_none),
                         WithJsonSchema({"anyOf": [{"type": "boolean"}, {"const": ""}],
                                         "description": "true or false; empty means either."})]
Limit = Annotated[int, Field(ge=1, le=100)]


def id_or_none(value: UUID | None) -> str | None:
    """A parsed optional UUID as the string services take."""
    return str(value) if value else None


def json_body(model: type[M], *, allow_empty: bool = False) -> M:
    """Validate the JSON body against `model`. An empty or invalid body is a 400 bad_request."""
    data = request.get_json(silent=True)
    if data is None and allow_empty and not request.get_data():
        data = {}
    if not isinstance(data, dict):
        raise BadRequest(INVALID_JSON_MESSAGE)
    return model.model_validate(data)


def query_args(model: type[M]) -> M:
    """Validate the query string against `model` (first value of each key)."""
    return model.model_validate(request.args.to_dict())
