"""Probes: `/health` (the process answers), `/ready` (the database answers and takes writes, no
projection is stuck), and `/metrics`."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse

from api.deps import LedgerDep, ReadSideDep, metrics_reader
from api.middleware import RETRY_FULL, RETRY_UNAVAILABLE
from api.openapi import problems
from api.problems import ProblemError
from domain.application.service import describe

logger = logging.getLogger("api")
router = APIRouter(tags=["health"])


@router.get("/health", summary="The process is up")
async def health() -> dict[str, str]:
    return {"status": "ok"}


def _not_ready(detail: str, retry_after: int) -> ProblemError:
    return ProblemError(503, "not-ready", detail, headers={"Retry-After": str(retry_after)})


@router.get(
    "/ready",
    summary="The database answers and takes writes, and no projection is stuck",
    responses=problems(503),
)
def ready(ledger: LedgerDep, side: ReadSideDep) -> dict[str, str | int]:
    try:
        position = ledger.position()
        stuck = side.models.stuck()
    except Exception as error:
        logger.warning("not ready: %s", describe(error))
        raise _not_ready("the database is not reachable", RETRY_UNAVAILABLE) from None
    if ledger.availability.full is not None:
        try:
            ledger.write_probe()
        except Exception as error:
            logger.warning("not ready: %s", describe(error))
            since = ledger.availability.full_since
            when = f" since {since.isoformat(timespec='seconds')}" if since else ""
            detail = f"the database's disk is full: writes are refused{when}"
            raise _not_ready(detail, RETRY_FULL) from None
    if stuck:
        where = "; ".join(f"projection {s.name} is stuck at position {s.position}" for s in stuck)
        detail = f"{where} (the error: GET /metrics, or `roadmap projections status`)"
        raise _not_ready(detail, 60)
    return {"status": "ready", "position": position}


@router.get(
    "/metrics",
    summary="Prometheus metrics: log and projection positions, lag, stuck projections",
    description="For a reporter's or admin's token, unless the server runs with "
    "`ROADMAP_METRICS_PUBLIC=true` (then for anyone: keep it on a private network).",
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        **problems(401, 403, 429, 503),
    },
    dependencies=[Depends(metrics_reader)],
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
    stuck = {s.name: s for s in side.models.stuck()}
    lines += [
        "# HELP roadmap_projection_stuck 1 when the projection cannot apply the event at "
        "`position` (it stays before it; the line after says why).",
        "# TYPE roadmap_projection_stuck gauge",
    ]
    for name in positions:
        found = stuck.get(name)
        if found is None:
            lines.append(f'roadmap_projection_stuck{{name="{name}"}} 0')
        else:
            lines.append(f'roadmap_projection_stuck{{name="{name}",position="{found.position}"}} 1')
            lines.append(f"# {name} {found.line()}")
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")
