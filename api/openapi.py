"""OpenAPI: problem responses documented as `application/problem+json`, headers of answers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api.problems import PROBLEM_MEDIA_TYPE
from api.schemas.problems import Problem

Responses = dict[int | str, dict[str, Any]]

_WHY = {
    400: "The request could not be read.",
    401: "No bearer token, or a malformed, expired or wrongly signed one.",
    403: "The caller's role or party does not allow this.",
    404: "No such item (or route).",
    409: "A rule of the roadmap refused the command, or the item kept changing.",
    412: "If-Match names a version that is no longer current.",
    413: "The body is larger than the limit.",
    415: "The body is not JSON.",
    422: "Invalid input; `field` names the first offending one.",
    429: "Too many requests; see Retry-After.",
    503: "Not ready: the database is unreachable, or the read models have not reached "
    "`min_position` within the wait (see Retry-After).",
    507: "The database's disk is full: nothing was recorded (see Retry-After).",
}

_HEADERS = {
    "ETag": {"description": 'The item\'s new version, e.g. `"3"`.', "schema": {"type": "string"}},
    "X-Roadmap-Position": {
        "description": "The log position of the answer.",
        "schema": {"type": "integer"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this answers an earlier request with the same key.",
        "schema": {"type": "string"},
    },
}


def problems(*statuses: int) -> Responses:
    return {status: {"model": Problem, "description": _WHY[status]} for status in statuses}


COMMAND_RESPONSES: Responses = {
    200: {"description": "Recorded.", "headers": _HEADERS},
    **problems(400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 503, 507),
}
CREATION_RESPONSES: Responses = {
    201: {
        "description": "Recorded; Location names the new item.",
        "headers": {
            **_HEADERS,
            "Location": {"description": "Path of the new item.", "schema": {"type": "string"}},
        },
    },
    **problems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503, 507),
}
READ_RESPONSES: Responses = {
    200: {
        "description": "The answer, with the log position it reflects.",
        "headers": {k: v for k, v in _HEADERS.items() if k != "Idempotent-Replayed"},
    },
    **problems(401, 403, 404, 422, 429, 503),
}
#: A creation that is also a step of an existing item (a decision at a consultation).
CREATION_STEP_RESPONSES: Responses = {**CREATION_RESPONSES, **problems(412)}


def problem_media_types(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI documents every model as application/json; errors answer problem+json."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if str(status)[0] in "45" and "application/json" in content:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    return schema


def install(app: FastAPI) -> None:
    """Wrap FastAPI's own (cached) generator so errors are documented as problem+json."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        return problem_media_types(generate())

    app.openapi = openapi  # type: ignore[method-assign]
