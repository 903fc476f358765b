"""Probes: `/health` (the process answers) and `/ready` (the database answers)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from api.deps import LedgerDep, ReadSideDep
from api.openapi import problems
from api.problems import ProblemError

logger = logging.getLogger("api")
router = APIRouter(tags=["health"])


@router.get("/health", summary="The process is up")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="The database is reachable", responses=problems(503))
def ready(ledger: LedgerDep) -> dict[str, str | int]:
    try:
        position = ledger.position()
    except Exception as error:
        logger.warning("not ready: %s", error)
        msg = "the database is not reachable"
        raise ProblemError(503, "not-ready", msg, headers={"Retry-After": "5"}) from None
    return {"status": "ready", "position": position}


@router.get(
    "/metrics",
    summary="Prometheus metrics: log and projection positions, lag",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics(ledger: LedgerDep, side: ReadSideDep) -> PlainTextResponse:
    head = ledger.position()
    lines = [
        "# HELP roadmap_log_position The position of the last recorded event.",
        "# TYPE roadmap_log_position gauge",
        f"roadmap_log_position {head}",
        "# HELP roadmap_projection_position The log position each projection reflects.",
        "# TYPE roadmap_projection_position gauge",
    ]
    positions = {name: side.models.position(name) for name in ("partnership", "audit", "temporal")}
    lines += [f'roadmap_projection_position{{name="{n}"}} {p}' for n, p in positions.items()]
    lines += [
        "# HELP roadmap_projection_lag Events recorded but not yet projected.",
        "# TYPE roadmap_projection_lag gauge",
        *(f'roadmap_projection_lag{{name="{n}"}} {head - p}' for n, p in positions.items()),
    ]
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")
