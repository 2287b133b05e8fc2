"""Request parsing into pydantic models; failures reach the one error renderer as 400s."""
from __future__ import annotations

from typing import TypeVar

from flask import request
from pydantic import BaseModel
from werkzeug.exceptions import BadRequest

from api.errors import INVALID_JSON_MESSAGE

M = TypeVar("M", bound=BaseModel)


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
