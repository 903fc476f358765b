"""Every error as RFC 9457 `application/problem+json`; domain errors map in one table."""

from __future__ import annotations

import json
import logging
import re
from http import HTTPStatus
from typing import Any, cast
from uuid import uuid4

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.types import Send

from api.i18n import say, validation
from api.i18n import title as localised_title
from api.language import DEFAULT, Language, negotiate
from domain.model.errors import (
    ConcurrencyConflictError,
    DomainError,
    IdempotencyKeyReusedError,
    InvalidCorrectionError,
    InvalidValueError,
    NotAuthorisedError,
    NotFoundError,
    StaleVersionError,
)

logger = logging.getLogger("api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:roadmap-ledger:problem:"

#: The one table from domain errors to HTTP statuses; the most specific class wins, and any
#: other DomainError is a refused rule: 409 with its own `code`.
DOMAIN_STATUS: dict[type[DomainError], int] = {
    NotFoundError: 404,
    NotAuthorisedError: 403,
    StaleVersionError: 412,
    InvalidValueError: 422,
    InvalidCorrectionError: 422,
    IdempotencyKeyReusedError: 422,
    ConcurrencyConflictError: 409,
}
RULE_REFUSED = 409

#: Codes of the statuses Starlette raises itself (unknown path, wrong method, unreadable body).
STATUS_CODES: dict[int, str] = {
    400: "bad-request",
    401: "unauthenticated",
    403: "not-authorised",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "stale-version",
    413: "body-too-large",
    415: "unsupported-media-type",
    422: "invalid-value",
    429: "rate-limited",
    500: "internal-error",
    503: "not-ready",
    507: "storage-full",
}

#: Where a request value came from, as FastAPI names it first in an error's `loc`.
_SOURCES = {"body", "query", "path", "header", "cookie"}
_HEADER_NAMES = {"idempotency-key": "Idempotency-Key", "if-match": "If-Match"}


class ProblemError(Exception):
    """An HTTP-level refusal raised outside the domain (auth, media type, limits)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        self.field = field


_TITLES = {"malformed-json": "Malformed JSON"}


def title_of(code: str, language: Language = DEFAULT) -> str:
    return localised_title(code, _TITLES.get(code) or code.replace("-", " ").capitalize(), language)


def language_of(request: Request) -> Language:
    """The answer's language, negotiated from every `Accept-Language` the request has."""
    values = request.headers.getlist("accept-language")
    return negotiate(", ".join(values) if values else None)


def _headers(language: Language, headers: dict[str, str] | None) -> dict[str, str]:
    return {**(headers or {}), "Content-Language": language, "Vary": "Accept-Language"}


def field_detail(field: str, message: str, language: Language) -> str:
    """The detail that names the offending field: `quantity.amount: must be …`."""
    return f"{field} : {message}" if language == "fr" else f"{field}: {message}"


def problem_body(
    status: int,
    code: str,
    detail: str,
    instance: str,
    *,
    language: Language = DEFAULT,
    **extensions: Any,
) -> dict[str, Any]:
    """The problem's members; `detail` is already in `language`, which the title follows."""
    return {
        "type": f"{TYPE_PREFIX}{code}",
        "title": title_of(code, language),
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        **{k: v for k, v in extensions.items() if v is not None},
    }


def problem(
    request: Request,
    status: int,
    code: str,
    detail: str,
    *,
    language: Language,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = problem_body(status, code, detail, request.url.path, language=language, **extensions)
    return JSONResponse(
        body,
        status_code=status,
        headers=_headers(language, headers),
        media_type=PROBLEM_MEDIA_TYPE,
    )


async def send_problem(
    send: Send,
    path: str,
    status: int,
    code: str,
    detail: str,
    *,
    language: Language = DEFAULT,
    headers: dict[str, str] | None = None,
) -> None:
    """The same answer from pure ASGI middleware, before or without the app."""
    body = problem_body(status, code, detail, path, language=language)
    # English answers stay as they always were (ASCII escapes); French ones are UTF-8.
    content = json.dumps(body, ensure_ascii=language == DEFAULT).encode()
    raw = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(content)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in _headers(language, headers).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": content})


def status_of(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in DOMAIN_STATUS:
            return DOMAIN_STATUS[cls]
    return RULE_REFUSED


async def domain_error(request: Request, exc: Exception) -> JSONResponse:
    error = cast(DomainError, exc)
    language = language_of(request)
    status = status_of(error)
    message = say(error.message, language, code=error.code)
    headers: dict[str, str] = {}
    extensions: dict[str, Any] = {"field": error.field}
    if error.field is not None and status == HTTPStatus.UNPROCESSABLE_ENTITY:
        extensions["errors"] = [{"field": error.field, "message": message}]
    if isinstance(error, StaleVersionError):
        extensions["current_version"] = error.current_version
        headers["ETag"] = f'"{error.current_version}"'
    return problem(
        request, status, error.code, message, language=language, headers=headers, **extensions
    )


async def problem_error(request: Request, exc: Exception) -> JSONResponse:
    error = cast(ProblemError, exc)
    language = language_of(request)
    detail = say(error.detail, language, code=error.code)
    errors = None if error.field is None else [{"field": error.field, "message": detail}]
    return problem(
        request,
        error.status,
        error.code,
        detail,
        language=language,
        headers=error.headers,
        field=error.field,
        errors=errors,
    )


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    error = cast(HTTPException, exc)
    language = language_of(request)
    status = error.status_code
    if status == HTTPStatus.BAD_REQUEST and isinstance(
        error.__cause__, ValueError | RecursionError
    ):
        # FastAPI could not decode the body (bad UTF-8, nesting or number too deep/long).
        message = say(
            "the body is not valid JSON (encoding, nesting depth or number size)", language
        )
        errors = [{"field": "body", "message": message}]
        detail = field_detail("body", message, language)
        return problem(
            request, 422, "malformed-json", detail, language=language, field="body", errors=errors
        )
    code = STATUS_CODES.get(status, "error")
    detail = error.detail
    if not isinstance(detail, str) or detail == HTTPStatus(status).phrase:
        detail = _default_detail(request, status)
    headers = dict(error.headers or {})
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    detail = say(detail, language, code=code)
    return problem(request, status, code, detail, language=language, headers=headers)


def _allowed_methods(request: Request) -> str:
    """Every method of every route at this path (Starlette names only the first route's)."""
    table: list[tuple[re.Pattern[str], set[str]]] = getattr(request.app.state, "methods", [])
    path = request.url.path
    return ", ".join(sorted({m for regex, methods in table if regex.match(path) for m in methods}))


def _default_detail(request: Request, status: int) -> str:
    if status == HTTPStatus.NOT_FOUND:
        return f"no resource at {request.url.path}"
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        return f"{request.method} is not allowed on {request.url.path}"
    return HTTPStatus(status).phrase


def methods_by_path(routers: list[APIRouter]) -> list[tuple[re.Pattern[str], set[str]]]:
    """The routes' path patterns and methods, for the Allow header of a 405."""
    return [
        (route.path_regex, set(route.methods or ()))
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
    ]


def field_of(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """`("body", "quantity", "amount")` → `quantity.amount`; a whole-body error → `body`."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = str(parts.pop(0))
        if source == "header" and parts:
            name = str(parts.pop(0))
            return _HEADER_NAMES.get(name.lower(), name)
        if not parts:
            return source
    return ".".join(str(p) for p in parts) or "body"


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    error = cast(RequestValidationError, exc)
    language = language_of(request)
    errors = []
    code = "invalid-value"
    for item in error.errors():
        if item.get("type") == "json_invalid":
            code = "malformed-json"
            detail = item.get("ctx", {}).get("error", "not JSON")
            message = say(f"the body is not valid JSON: {detail}", language)
            errors.append({"field": "body", "message": message})
            continue
        errors.append({"field": field_of(item.get("loc", ())), "message": _message(item, language)})
    nothing = {"field": "body", "message": say("invalid request", language)}
    first = errors[0] if errors else nothing
    detail = field_detail(first["field"], first["message"], language)
    return problem(
        request, 422, code, detail, language=language, field=first["field"], errors=errors
    )


def _message(item: dict[str, Any], language: Language) -> str:
    english = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
    return validation(str(item.get("type", "")), item.get("ctx") or {}, english, language)


def unexpected(path: str, error: BaseException) -> tuple[str, str]:
    """Log an unexpected exception; answer only an id to find it in the log."""
    error_id = uuid4().hex
    logger.error("unexpected error %s on %s", error_id, path, exc_info=error)
    return error_id, f"the server could not answer this request (error id {error_id})"


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(ProblemError, problem_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
