"""Exchanges of diplomats and experts: proposed, agreed by the receiving party, started,
completed or cancelled."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Response

from api import routes
from api.deps import (
    ActorDep,
    CommandDep,
    CreationDep,
    LedgerDep,
)
from api.schemas.common import CommandAnswer, StepBody
from api.schemas.exchanges import ExchangeCancellation, ExchangeCreate, ExchangePublic

router = APIRouter(tags=["exchanges"])


@routes.creation(router, "/roadmaps/{roadmap_id}/exchanges", "Propose an exchange")
def propose_exchange(
    *,
    roadmap_id: UUID,
    body: ExchangeCreate,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CreationDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.propose_exchange(
        actor,
        roadmap_id,
        category=body.category,
        from_party=body.from_party,
        to_party=body.to_party,
        participants=body.participants,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        title=body.title,
        meta=command.meta(body),
    )
    return command.answer(result, response, location="/exchanges")


@routes.command(
    router, "/exchanges/{exchange_id}/agreement", "Agree to an exchange (receiving party)"
)
def agree_exchange(
    *,
    exchange_id: UUID,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
    body: Annotated[StepBody | None, Body()] = None,
) -> CommandAnswer:
    result = ledger.agree_exchange(actor, exchange_id, meta=command.meta(body or StepBody()))
    return command.answer(result, response)


@routes.command(router, "/exchanges/{exchange_id}/start", "Record that it started")
def start_exchange(
    *,
    exchange_id: UUID,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
    body: Annotated[StepBody | None, Body()] = None,
) -> CommandAnswer:
    result = ledger.start_exchange(actor, exchange_id, meta=command.meta(body or StepBody()))
    return command.answer(result, response)


@routes.command(router, "/exchanges/{exchange_id}/completion", "Record that it completed")
def complete_exchange(
    *,
    exchange_id: UUID,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
    body: Annotated[StepBody | None, Body()] = None,
) -> CommandAnswer:
    result = ledger.complete_exchange(actor, exchange_id, meta=command.meta(body or StepBody()))
    return command.answer(result, response)


@routes.command(router, "/exchanges/{exchange_id}/cancellation", "Cancel an exchange")
def cancel_exchange(
    *,
    exchange_id: UUID,
    body: ExchangeCancellation,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.cancel_exchange(actor, exchange_id, reason=body.reason, meta=command.meta(body))
    return command.answer(result, response)


routes.item_read(router, "exchanges", "exchange_id", ExchangePublic, "Read an exchange")
