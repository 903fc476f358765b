"""Decisions: endorsed by each party of the roadmap until agreed."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Response

from api import reads, routes
from api.deps import (
    ActorDep,
    AsOf,
    CommandDep,
    EffectiveOn,
    LedgerDep,
    MinPosition,
    ReaderDep,
    ReadSideDep,
    SettingsDep,
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


@routes.read(router, "/decisions/{decision_id}", DecisionPublic, "Read a decision")
def get_decision(
    *,
    decision_id: UUID,
    side: ReadSideDep,
    settings: SettingsDep,
    actor: ReaderDep,
    response: Response,
    min_position: MinPosition = None,
    as_of: AsOf = None,
    effective_on: EffectiveOn = None,
) -> Any:
    return reads.item(
        side,
        settings,
        "decisions",
        decision_id,
        response,
        actor=actor,
        min_position=min_position,
        as_of=as_of,
        effective_on=effective_on,
    )
