"""Pledges: made under a roadmap, revised, progress reported, fulfilled or withdrawn."""

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
from api.schemas.common import CommandAnswer
from api.schemas.pledges import (
    PledgeCreate,
    PledgeFulfilment,
    PledgeProgress,
    PledgePublic,
    PledgeRevision,
    PledgeWithdrawal,
)

router = APIRouter(tags=["pledges"])


@routes.creation(router, "/roadmaps/{roadmap_id}/pledges", "Make a pledge")
def make_pledge(
    *,
    roadmap_id: UUID,
    body: PledgeCreate,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CreationDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.make_pledge(
        actor,
        roadmap_id,
        party=body.party,
        title=body.title,
        kind=body.kind,
        quantity=body.quantity.to_domain("quantity"),
        priorities=body.priorities,
        beneficiary=body.beneficiary,
        due_on=body.due_on,
        meta=command.meta(body),
    )
    return command.answer(result, response, location="/pledges")


@routes.command(router, "/pledges/{pledge_id}/revisions", "Revise a pledge's quantity or title")
def revise_pledge(
    *,
    pledge_id: UUID,
    body: PledgeRevision,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.revise_pledge(
        actor,
        pledge_id,
        quantity=None if body.quantity is None else body.quantity.to_domain("quantity"),
        title=body.title,
        reason=body.reason,
        meta=command.meta(body),
    )
    return command.answer(result, response)


@routes.command(router, "/pledges/{pledge_id}/progress", "Report what was delivered so far")
def report_pledge_progress(
    *,
    pledge_id: UUID,
    body: PledgeProgress,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.report_pledge_progress(
        actor, pledge_id, delivered=body.delivered.to_domain("delivered"), meta=command.meta(body)
    )
    return command.answer(result, response)


@routes.command(router, "/pledges/{pledge_id}/fulfilment", "Fulfil a pledge")
def fulfil_pledge(
    *,
    pledge_id: UUID,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
    body: Annotated[PledgeFulfilment | None, Body()] = None,
) -> CommandAnswer:
    body = body or PledgeFulfilment()
    result = ledger.fulfil_pledge(actor, pledge_id, reason=body.reason, meta=command.meta(body))
    return command.answer(result, response)


@routes.command(router, "/pledges/{pledge_id}/withdrawal", "Withdraw a pledge")
def withdraw_pledge(
    *,
    pledge_id: UUID,
    body: PledgeWithdrawal,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.withdraw_pledge(actor, pledge_id, reason=body.reason, meta=command.meta(body))
    return command.answer(result, response)


routes.item_read(router, "pledges", "pledge_id", PledgePublic, "Read a pledge")
