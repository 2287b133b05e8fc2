"""Build the OpenAPI 3.1 document of /api from the url_map and the operations resources describe.

Schemas come from the pydantic models the controllers validate with (bodies, query strings) and the
wire models in `bodies` and `events`, via `models_json_schema`; nothing is written by hand twice.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterator, Mapping, NamedTuple

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.routing import Map, Rule

from controllers.common.auth import passport_required
from controllers.openapi.bodies import ErrorBody
from controllers.openapi.operation import Operation, described

REF = "#/components/schemas/{model}"
PREFIX = "/api/"
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
PATH_SCHEMAS = {"uuid": {"type": "string", "format": "uuid"}, "string": {"type": "string", "pattern": "^[^/]+$"}}
ERRORS = {400: "Invalid parameters, wrong app mode, or a disabled site.", 401: "Missing or invalid passport.",
          403: "The app has this feature turned off.", 404: "Not found (or not the caller's).",
          413: "Request body too large.", 429: "Too many active runs of this app."}
SUCCESS = {101: "Switching Protocols: the WebSocket is open.", 204: "Done; no body."}
SECURITY_SCHEMES = {
    "passport": {"type": "apiKey", "in": "header", "name": "X-App-Passport",
                 "description": "The passport from GET /api/passport (also read from the `passport-<app code>` "
                                "cookie, whose name needs the X-App-Code header)."},
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
               "description": "The same passport as `Authorization: Bearer`, as older front ends send it."},
}


class Route(NamedTuple):
    path: str
    method: str
    operation: Operation
    authenticated: bool
    path_params: tuple[tuple[str, dict[str, Any]], ...]


def build_document(url_map: Map, view_functions: Mapping[str, Callable], version: str) -> dict[str, Any]:
    """The document for every described method of every /api rule (undescribed ones are left out)."""
    routes = sorted(_routes(url_map, view_functions), key=lambda r: (r.path, r.method))
    refs, schemas = _schemas(routes)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "llm-web-api Web API", "version": version,
                 "description": "The end-user API of published LLM apps, wire-compatible with Dify's Web API."},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
    }


def openapi_path(rule: str) -> str:
    """`/api/x/<uuid:id>` -> `/api/x/{id}`."""
    return PARAM.sub(lambda m: "{" + m.group(2) + "}", rule)


def _routes(url_map: Map, view_functions: Mapping[str, Callable]) -> Iterator[Route]:
    for rule in url_map.iter_rules():
        if not rule.rule.startswith(PREFIX):
            continue
        view = view_functions[rule.endpoint]
        resource = getattr(view, "view_class", None)
        authenticated = passport_required in getattr(resource, "method_decorators", [])
        for method in sorted(rule.methods - SKIPPED_METHODS):
            operation = described(getattr(resource, method.lower(), None) if resource else view)
            if operation is not None:
                yield Route(openapi_path(rule.rule), method, operation, authenticated, _path_params(rule))


def _path_params(rule: Rule) -> tuple[tuple[str, dict[str, Any]], ...]:
    return tuple((m.group(2), PATH_SCHEMAS.get(m.group(1) or "string", {"type": "string"}))
                 for m in PARAM.finditer(rule.rule))


def _models(route: Route) -> Iterator[tuple[type[BaseModel], str]]:
    op = route.operation
    for model, mode in ((op.body, "validation"), (op.query, "validation"), (op.response, "serialization"),
                        (op.stream, "serialization")):
        if model is not None:
            yield model, mode


def _schemas(routes: list[Route]) -> tuple[dict, dict[str, Any]]:
    """({(model, mode): {"$ref": ...}}, components.schemas) for every model the routes name."""
    wanted = {(ErrorBody, "serialization")}
    for route in routes:
        wanted.update(_models(route))
    refs, defs = models_json_schema(sorted(wanted, key=lambda m: (m[0].__name__, m[1])), ref_template=REF)
    return refs, defs.get("$defs", {})


def _operation(route: Route, refs: dict) -> dict[str, Any]:
    op = route.operation
    result: dict[str, Any] = {"summary": op.summary, "operationId": _operation_id(route)}
    if op.description:
        result["description"] = op.description
    params = _parameters(route)
    if params:
        result["parameters"] = params
    if op.body is not None:
        result["requestBody"] = {"required": True,
                                 "content": {"application/json": {"schema": refs[(op.body, "validation")]}}}
    result["responses"] = {**_success(op, refs), **_errors(route, refs)}
    result["security"] = [{"passport": []}, {"bearer": []}] if route.authenticated else []
    return result


def _operation_id(route: Route) -> str:
    words = re.findall(r"[a-z0-9]+", route.path.removeprefix(PREFIX).replace("{", "by_"))
    return "_".join([route.method.lower(), *words])


def _parameters(route: Route) -> list[dict[str, Any]]:
    op = route.operation
    params = [{"name": name, "in": "path", "required": True, "schema": schema} for name, schema in route.path_params]
    params += [{"name": h.name, "in": "header", "required": h.required, "description": h.description,
                "schema": {"type": "string"}} for h in op.headers]
    if op.query is not None:
        params += _query_parameters(op.query)
    return params


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """One `in: query` parameter per field; a query value is a string or absent, never null."""
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    return [{"name": name, "in": "query", "required": name in required, "schema": _not_null(prop)}
            for name, prop in schema["properties"].items()]


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    variants = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    rest = {k: v for k, v in schema.items() if k != "anyOf" and not (k == "default" and v is None)}
    if len(variants) == 1:
        return {**rest, **variants[0]}
    return {**rest, "anyOf": variants} if variants else rest


def _success(op: Operation, refs: dict) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if op.response is not None:
        content["application/json"] = {"schema": refs[(op.response, "serialization")]}
    if op.stream is not None:
        content["text/event-stream"] = {"schema": _sse_frame(refs[(op.stream, "serialization")])}
    success: dict[str, Any] = {"description": SUCCESS.get(op.status, "Success.")}
    if content:
        success["content"] = content
    if op.links:
        success["links"] = {link.name: link.to_dict() for link in op.links}
    return {str(op.status): success}


def _sse_frame(payload: dict[str, Any]) -> dict[str, Any]:
    """One SSE frame: `id: <task_id>:<seq>` and a JSON `data:` line (pings carry no data)."""
    return {"type": "object", "required": ["data"],
            "description": "One frame: `id: <task_id>:<seq>`, then `data: <JSON event>`. A literal "
                           "`event: ping` frame (no data) is sent after 10 s of silence.",
            "properties": {"id": {"type": "string"}, "event": {"type": "string"},
                           "data": {"type": "string", "contentMediaType": "application/json",
                                    "contentSchema": payload}}}


def _errors(route: Route, refs: dict) -> dict[str, Any]:
    op = route.operation
    statuses = set(op.errors)
    if route.authenticated:
        statuses |= {400, 401, 404}
    if op.body is not None or op.query is not None:
        statuses.add(400)
    if op.body is not None:
        statuses.add(413)
    if any(schema.get("format") == "uuid" for _, schema in route.path_params):
        statuses.add(404)
    error = {"application/json": {"schema": refs[(ErrorBody, "serialization")]}}
    responses = {str(s): {"description": ERRORS.get(s, "Error."), "content": error} for s in sorted(statuses)}
    if "401" in responses:
        responses["401"]["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"},
                                                            "description": 'Always `Bearer realm="api"`.'}}
    return responses
