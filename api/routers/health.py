"""Probes: `/health` (the process answers) and `/ready` (the database answers)."""

from __future__ import annotations

import logging

from fastapi import APIRouter

from api.deps import LedgerDep
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
