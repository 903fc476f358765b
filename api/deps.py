"""What routes receive: the ledger, the settings, the caller, and the command's headers."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Header, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import AUDIT_TRAIL, Authenticator, require_auditor, require_reader
from api.commands import (
    IDEMPOTENCY_KEY_MAX,
    IDEMPOTENCY_KEY_PATTERN,
    IF_MATCH_PATTERN,
    CommandContext,
    parse_if_match,
)
from api.language import Language, content_language, negotiate
from api.middleware import ACTOR_SCOPE_KEY
from api.problems import ProblemError
from api.readside import ReadSide
from api.schemas.common import Day, Instant
from api.settings import Settings
from domain.application.service import RoadmapLedger
from domain.model.errors import NotAuthorisedError
from domain.model.values import Actor, Role

#: Only documents the scheme in OpenAPI; `current_actor` reads and checks the header itself.
bearer_scheme = HTTPBearer(
    auto_error=False,
    description="A JWT with claims `sub`, `roles`, `exp` and, for officials, `party`.",
)


async def get_ledger(request: Request) -> RoadmapLedger:
    return cast(RoadmapLedger, request.app.state.ledger)


async def get_read_side(request: Request) -> ReadSide:
    return cast(ReadSide, request.app.state.read_side)


async def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def current_actor(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Actor:
    """The token's Actor (401 otherwise); the rate limiter may have verified it already."""
    cached = request.scope.get(ACTOR_SCOPE_KEY)
    if isinstance(cached, Actor):
        return cached
    authenticator = cast(Authenticator, request.app.state.authenticator)
    return authenticator.authenticate(request.headers.get("authorization"))


async def current_reader(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    """Any role may read current state; a token without roles may not."""
    return require_reader(actor)


async def metrics_reader(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> None:
    """/metrics: a reporter's or admin's token, unless ROADMAP_METRICS_PUBLIC opens it."""
    settings = cast(Settings, request.app.state.settings)
    if settings.metrics_public:
        return
    actor = await current_actor(request, credentials)
    if not actor.roles & {Role.REPORTER, Role.ADMIN}:
        msg = "/metrics is for reporters and admins (or set ROADMAP_METRICS_PUBLIC=true)"
        raise NotAuthorisedError(msg)


async def current_auditor(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    """The audit trail and its proofs are for auditors and admins."""
    require_auditor(actor, AUDIT_TRAIL)
    return actor


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=IDEMPOTENCY_KEY_MAX,
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="1 to 200 printable ASCII characters; a retry with the same key and body "
        "answers the first response and records nothing more.",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        json_schema_extra={"pattern": IF_MATCH_PATTERN},
        description='The ETag of the version the change is based on, e.g. `"3"`; '
        "a stale version answers 412.",
    ),
]


async def _require_json(request: Request) -> None:
    body = await request.body()  # already read and cached by FastAPI
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if body and not (media_type == "application/json" or media_type.endswith("+json")):
        msg = "send the body as JSON, with Content-Type: application/json"
        raise ProblemError(415, "unsupported-media-type", msg)


#: For a JSON body outside commands: 415 unless it is sent as JSON.
require_json = _require_json


def _body_language(request: Request) -> Language:
    """The language of the body's plain-string texts (`Content-Language`, default en)."""
    lang = content_language(request.headers.get("content-language"))
    if lang is None:
        msg = "Content-Language must be en or fr (or a tag of them, such as fr-CA)"
        raise ProblemError(422, "invalid-value", msg, field="Content-Language")
    return lang


async def command_context(
    request: Request, idempotency_key: IdempotencyKey = None, if_match: IfMatch = None
) -> CommandContext:
    """A command on an existing item: `If-Match` names the version it is based on."""
    await _require_json(request)
    return CommandContext(
        request.method,
        request.url.path,
        idempotency_key,
        parse_if_match(if_match),
        _body_language(request),
    )


async def creation_context(
    request: Request, idempotency_key: IdempotencyKey = None
) -> CommandContext:
    """A creation under a roadmap: there is no version to match, so `If-Match` is ignored."""
    await _require_json(request)
    return CommandContext(
        request.method, request.url.path, idempotency_key, lang=_body_language(request)
    )


def answer_language(request: Request, response: Response) -> Language:
    """The negotiated language of this request's answer; says so in `Content-Language`."""
    lang = negotiate(request.headers.get("accept-language"))
    response.headers["Content-Language"] = lang
    return lang


AnswerLanguage = Annotated[Language, Depends(answer_language)]


LedgerDep = Annotated[RoadmapLedger, Depends(get_ledger)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ActorDep = Annotated[Actor, Depends(current_actor)]
ReaderDep = Annotated[Actor, Depends(current_reader)]
AuditorDep = Annotated[Actor, Depends(current_auditor)]
ReadSideDep = Annotated[ReadSide, Depends(get_read_side)]
MinPosition = Annotated[
    int | None,
    Query(
        ge=0,
        le=2**62,
        description="Wait until the answer reflects at least this log position (the `position` "
        "a command answered): read-your-writes. 503 + Retry-After if it takes too long.",
    ),
]
AsOf = Annotated[
    Instant | None,
    Query(description="The record as it stood then (RFC 3339 with timezone; auditors)."),
]
EffectiveOn = Annotated[
    Day | None, Query(description="What was in effect on that date, YYYY-MM-DD (auditors).")
]
CommandDep = Annotated[CommandContext, Depends(command_context)]
CreationDep = Annotated[CommandContext, Depends(creation_context)]
