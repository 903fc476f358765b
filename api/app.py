"""The HTTP app: built by `create_app`, the ledger opened in the lifespan and closed after."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import orjson
from anyio import to_thread
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from api import auditor_page, docs_pages, openapi, problems
from api.auth import Authenticator
from api.kinds import router_module
from api.middleware import (
    BodyLimitMiddleware,
    RateLimitMiddleware,
    TokenBuckets,
    UnexpectedErrorMiddleware,
)
from api.readside import ReadSide, open_read_side
from api.routers import audit, corrections, health, history, reports, workbench
from api.settings import Settings
from domain.application.service import RoadmapLedger
from domain.model.kinds import KINDS
from projections.runtime.lease import one_at_a_time

logger = logging.getLogger("api")

DESCRIPTION = """The official record of the France-Canada Peacekeeping Roadmap, as an
append-only log of events. Send `Authorization: Bearer <JWT>`; commands take an
`Idempotency-Key` and `If-Match`; every error is `application/problem+json` (RFC 9457).
See docs/http.md."""


def _version() -> str:
    try:
        return version("roadmap-ledger")
    except PackageNotFoundError:
        return "0.0.0"


def open_ledger(settings: Settings) -> RoadmapLedger:
    """Open the store and forget idempotency keys older than the retention period."""
    ledger = RoadmapLedger(settings.database_url, retries=settings.command_retries)
    try:
        cutoff = datetime.now(UTC) - timedelta(days=settings.idempotency_retention_days)
        purged = ledger.ledger_recorder.purge_idempotency(cutoff)
    except BaseException:
        ledger.close()
        raise
    if purged:
        logger.info("purged %d idempotency keys older than %s", purged, cutoff.isoformat())
    return ledger


def open_store(settings: Settings) -> tuple[RoadmapLedger, ReadSide]:
    """The ledger and its read side, set up while no other process of the set does."""
    with one_at_a_time(settings.database_url):
        ledger = open_ledger(settings)
        try:
            return ledger, open_read_side(ledger, settings)
        except BaseException:
            ledger.close()
            raise


def _operation_id(route: APIRoute) -> str:
    return route.name


class LedgerJSONResponse(JSONResponse):
    """JSON as UTF-8, written by orjson (a tenth of the standard library's CPU); what orjson
    refuses falls back to the standard library, which the answers were first written with: a
    text UTF-8 cannot spell (a lone surrogate, which only an event written below the API holds)
    is answered as a JSON escape, an integer past 64 bits exactly. (No answer holds a float:
    amounts are decimal texts.)"""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except orjson.JSONEncodeError:
            pass
        try:
            return super().render(content)
        except UnicodeEncodeError:
            text = json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
            return text.encode("ascii")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for `settings` (default: the `ROADMAP_*` environment)."""
    settings = settings or Settings()
    authenticator = Authenticator.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ledger, read_side = await to_thread.run_sync(open_store, settings)
        app.state.ledger = ledger
        app.state.read_side = read_side
        try:
            yield
        finally:
            await to_thread.run_sync(read_side.close)
            await to_thread.run_sync(ledger.close)

    app = FastAPI(
        title="Roadmap Ledger",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        default_response_class=LedgerJSONResponse,
        docs_url=None,  # served by docs_pages from the app's own assets (no CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.authenticator = authenticator
    problems.install(app)
    kinds = [router_module(kind).router for kind in KINDS]
    general = [corrections.router, history.router, audit.router, reports.router, workbench.router]
    routers = [health.router, *kinds, *general]
    for router in routers:
        app.include_router(router)
    app.state.methods = problems.methods_by_path(routers)
    # Added innermost first: the 500 net wraps the rate limit, which wraps the body limit.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RateLimitMiddleware,
        buckets=TokenBuckets(settings.rate_limit_per_minute),
        authenticator=authenticator,
    )
    app.add_middleware(UnexpectedErrorMiddleware)
    openapi.install(app)
    docs_pages.install(app)
    auditor_page.install(app)
    return app
