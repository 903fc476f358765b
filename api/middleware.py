"""Pure ASGI limits: body bytes counted as they arrive, a token bucket per subject, a 500 net."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio
from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import AuthenticationError, Authenticator
from api.i18n import say
from api.language import Language, negotiate
from api.problems import send_problem, unexpected
from domain.application.service import Failure, describe, failure_of

logger = logging.getLogger("api")

#: The scope key under which the rate limiter leaves the Actor it authenticated.
ACTOR_SCOPE_KEY = "roadmap.actor"
#: Probes are never rate limited.
UNLIMITED_PATHS = frozenset({"/health", "/ready"})
#: Nor the pages' static files: one visit of the auditor's workbench loads some twenty modules,
#: which cost the server no more than a file read and carry no token.
UNLIMITED_PREFIXES = ("/auditor/", "/static/")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _language(scope: Scope) -> Language:
    """The language of an answer given here, before the app (as `problems.language_of`)."""
    values = [v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"accept-language"]
    return negotiate(", ".join(values) if values else None)


async def _refuse(
    send: Send,
    scope: Scope,
    status: int,
    code: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
) -> None:
    """A problem answer in the caller's language; `detail` is written in English."""
    language = _language(scope)
    detail = say(detail, language, code=code)
    await send_problem(
        send, scope["path"], status, code, detail, language=language, headers=headers
    )


class BodyTooLargeError(HTTPException):
    """Raised from `receive`; FastAPI passes HTTPExceptions from body reading on unchanged."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


#: How much of an oversized body is read and thrown away before the 413 is sent, and for how
#: long: a client that is still sending when the server closes the connection gets a reset
#: (ECONNRESET) instead of the answer, as urllib and requests do. Beyond either bound the 413
#: is sent at once (nginx's "lingering close" does the same).
DRAIN_MAX_BYTES = 64 * 1024 * 1024
DRAIN_MAX_SECONDS = 10.0


async def drain(receive: Receive, already: int, declared: int | None) -> None:
    """Reads and discards the rest of a request body, within the bounds above."""
    if declared is not None and declared > DRAIN_MAX_BYTES:
        return
    deadline = time.monotonic() + DRAIN_MAX_SECONDS
    drained = already
    with anyio.move_on_after(DRAIN_MAX_SECONDS):
        while drained <= DRAIN_MAX_BYTES and time.monotonic() < deadline:
            message = await receive()
            if message["type"] != "http.request":
                return
            drained += len(message.get("body", b""))
            if not message.get("more_body", False):
                return


class BodyLimitMiddleware:
    """413 on a Content-Length above the limit, or once the bytes received pass it (chunked).

    The rest of the body is read and discarded first (up to a bound), so that every client,
    also one that sends the whole body before reading, sees the 413 and not a reset.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _refuse(send, scope, 400, "bad-request", "bad Content-Length")
                return
            if int(declared) > self.max_bytes:
                await drain(receive, 0, int(declared))
                detail = f"the request body is larger than {self.max_bytes} bytes"
                await _refuse(send, scope, 413, "body-too-large", detail)
                return
        received = 0
        started = False
        more = True

        async def counting_receive() -> Message:
            nonlocal received, more
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                more = bool(message.get("more_body", False))
                if received > self.max_bytes:
                    raise BodyTooLargeError(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLargeError as error:
            if started:
                raise
            if more:
                await drain(receive, received, None)
            await _refuse(send, scope, 413, "body-too-large", str(error.detail))


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """`per_minute` requests per key, in bursts of up to `per_minute`, refilled continuously."""

    PRUNE_ABOVE = 10_000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.buckets: dict[str, _Bucket] = {}

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = self.clock()
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= self.PRUNE_ABOVE:
                self._prune(now)
            bucket = self.buckets[key] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled completely: they hold no information."""
        full_after = self.capacity / self.rate
        self.buckets = {k: b for k, b in self.buckets.items() if now - b.updated < full_after}


class RateLimitMiddleware:
    """429 + Retry-After per token subject (a valid token), else per client address."""

    def __init__(self, app: ASGIApp, buckets: TokenBuckets, authenticator: Authenticator) -> None:
        self.app = app
        self.buckets = buckets
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or path in UNLIMITED_PATHS
            or path.startswith(UNLIMITED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        key = self._key(scope)
        wait = self.buckets.take(key)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            detail = f"too many requests: try again in {seconds} s"
            headers = {"Retry-After": str(seconds)}
            await _refuse(send, scope, 429, "rate-limited", detail, headers=headers)
            return
        await self.app(scope, receive, send)

    def _key(self, scope: Scope) -> str:
        authorization = _header(scope, b"authorization")
        if authorization is not None:
            try:
                actor = self.authenticator.authenticate(authorization)
            except AuthenticationError:
                pass  # answered with 401 by the route; counted against the address
            else:
                scope[ACTOR_SCOPE_KEY] = actor
                return f"sub:{actor.subject}"
        client = scope.get("client")
        return f"addr:{client[0] if client else 'unknown'}"


#: Seconds a client should wait before retrying while the database is unreachable or full.
RETRY_UNAVAILABLE, RETRY_FULL = 2, 30


def outage_problem(error: BaseException) -> tuple[int, str, str, dict[str, str]] | None:
    """(status, code, detail, headers) when `error` says the database is down or full."""
    failure = failure_of(error)
    if failure is Failure.UNAVAILABLE:
        detail = (
            "the database is unreachable: retry in a few seconds (a command retried with the "
            "same Idempotency-Key is recorded at most once)"
        )
        return 503, "database-unavailable", detail, {"Retry-After": str(RETRY_UNAVAILABLE)}
    if failure is Failure.FULL:
        detail = (
            "the database's disk is full: nothing was recorded; retry once space has been freed"
        )
        return 507, "storage-full", detail, {"Retry-After": str(RETRY_FULL)}
    return None


class UnexpectedErrorMiddleware:
    """Any exception a handler did not map: a database outage or a full disk answered 503 or
    507 with Retry-After; anything else logged with an id and answered as a bare 500 problem."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            if started:
                raise
            outage = outage_problem(error)
            if outage is not None:
                status, code, detail, headers = outage
                logger.warning("%s %s: %s", status, scope["path"], describe(error))
                await send_problem(send, scope["path"], status, code, detail, headers=headers)
                return
            _, detail = unexpected(scope["path"], error)
            await _refuse(send, scope, 500, "internal-error", detail)
