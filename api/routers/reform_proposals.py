"""Reform proposals: proposed, co-sponsored, submitted, adopted or rejected, or withdrawn."""

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
from api.schemas.reform_proposals import (
    ReformOutcome,
    ReformProposalCreate,
    ReformProposalPublic,
    ReformSubmission,
    ReformWithdrawal,
)

router = APIRouter(tags=["reform proposals"])


@routes.creation(router, "/roadmaps/{roadmap_id}/reform-proposals", "Propose a reform")
def propose_reform(
    *,
    roadmap_id: UUID,
    body: ReformProposalCreate,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CreationDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.propose_reform(
        actor,
        roadmap_id,
        title=body.title,
        forum=body.forum,
        summary=body.summary,
        priorities=body.priorities,
        party=body.party,
        meta=command.meta(body),
    )
    return command.answer(result, response, location="/reform-proposals")


@routes.command(
    router,
    "/reform-proposals/{proposal_id}/cosponsorships",
    "Co-sponsor a proposal for the caller's party",
)
def cosponsor_reform(
    *,
    proposal_id: UUID,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
    body: Annotated[StepBody | None, Body()] = None,
) -> CommandAnswer:
    result = ledger.cosponsor_reform(actor, proposal_id, meta=command.meta(body or StepBody()))
    return command.answer(result, response)


@routes.command(router, "/reform-proposals/{proposal_id}/submission", "Record its submission")
def submit_reform(
    *,
    proposal_id: UUID,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
    body: Annotated[ReformSubmission | None, Body()] = None,
) -> CommandAnswer:
    body = body or ReformSubmission()
    result = ledger.submit_reform(actor, proposal_id, forum=body.forum, meta=command.meta(body))
    return command.answer(result, response)


@routes.command(router, "/reform-proposals/{proposal_id}/outcome", "Record its outcome")
def record_reform_outcome(
    *,
    proposal_id: UUID,
    body: ReformOutcome,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.record_reform_outcome(
        actor, proposal_id, result=body.result, meta=command.meta(body)
    )
    return command.answer(result, response)


@routes.command(router, "/reform-proposals/{proposal_id}/withdrawal", "Withdraw a proposal")
def withdraw_reform(
    *,
    proposal_id: UUID,
    body: ReformWithdrawal,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.withdraw_reform(actor, proposal_id, reason=body.reason, meta=command.meta(body))
    return command.answer(result, response)


routes.item_read(
    router, "reform-proposals", "proposal_id", ReformProposalPublic, "Read a reform proposal"
)
