"""Request parsing into pydantic models; failures reach the one error renderer as 400s."""
from __future__ import annotations

from typing import Annotated, TypeVar
from uuid import UUID

from flask import current_app, request
from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema

from api.errors import INVALID_JSON_MESSAGE
from api.limits import parse_json
from services.errors import BadRequest

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
    """Validate the JSON body against `model`.

    An empty or invalid body is a 400 bad_request; one over MAX_CONTENT_LENGTH a 413; one nested deeper
    than MAX_JSON_DEPTH or holding unpaired surrogates a 400 invalid_param naming the field.
    """
    raw = request.get_data(cache=True)
    if not raw or not request.is_json:
        data = {} if allow_empty and not raw else None
    else:
        data = parse_json(raw, current_app.config["MAX_JSON_DEPTH"])
    if not isinstance(data, dict):
        raise BadRequest(INVALID_JSON_MESSAGE)
    return model.model_validate(data)


def query_args(model: type[M]) -> M:
    """Validate the query string against `model` (first value of each key)."""
    return model.model_validate(request.args.to_dict())
