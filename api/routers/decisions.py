"""Decisions: endorsed by each party of the roadmap until agreed."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Response

from api import routes
from api.deps import (
    ActorDep,
    CommandDep,
    LedgerDep,
)
from api.schemas.common import CommandAnswer, StepBody
from api.schemas.decisions import DecisionPublic

router = APIRouter(tags=["decisions"])


@routes.command(
    router, "/decisions/{decision_id}/endorsements", "Endorse a decision for the caller's party"
)
def endorse_decision(
    *,
    decision_id: UUID,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
    body: Annotated[StepBody | None, Body()] = None,
) -> CommandAnswer:
    result = ledger.endorse_decision(actor, decision_id, meta=command.meta(body or StepBody()))
    return command.answer(result, response)


routes.item_read(router, "decisions", "decision_id", DecisionPublic, "Read a decision")
