"""Consultations: scheduled, co-chairs invited and accepted, rescheduled, held, cancelled;
decisions recorded at a held one."""

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
from api.schemas.consultations import (
    CoChairInvitation,
    ConsultationCancellation,
    ConsultationCreate,
    ConsultationHeld,
    ConsultationPublic,
    ConsultationRescheduling,
)
from api.schemas.decisions import DecisionCreate

router = APIRouter(tags=["consultations"])


@routes.creation(router, "/roadmaps/{roadmap_id}/consultations", "Schedule a consultation")
def schedule_consultation(
    *,
    roadmap_id: UUID,
    body: ConsultationCreate,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CreationDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.schedule_consultation(
        actor,
        roadmap_id,
        kind=body.kind,
        title=body.title,
        host_party=body.host_party,
        location=body.location,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        priorities=body.priorities,
        meta=command.meta(body),
    )
    return command.answer(result, response, location="/consultations")


@routes.command(
    router, "/consultations/{consultation_id}/co-chair-invitations", "Invite a co-chair"
)
def invite_co_chair(
    *,
    consultation_id: UUID,
    body: CoChairInvitation,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.invite_co_chair(
        actor, consultation_id, party=body.party, meta=command.meta(body)
    )
    return command.answer(result, response)


@routes.command(
    router,
    "/consultations/{consultation_id}/co-chair-acceptances",
    "Accept to co-chair (for the caller's party)",
)
def accept_co_chair(
    *,
    consultation_id: UUID,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
    body: Annotated[StepBody | None, Body()] = None,
) -> CommandAnswer:
    result = ledger.accept_co_chair(actor, consultation_id, meta=command.meta(body or StepBody()))
    return command.answer(result, response)


@routes.command(router, "/consultations/{consultation_id}/rescheduling", "Reschedule")
def reschedule_consultation(
    *,
    consultation_id: UUID,
    body: ConsultationRescheduling,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.reschedule_consultation(
        actor,
        consultation_id,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        reason=body.reason,
        meta=command.meta(body),
    )
    return command.answer(result, response)


@routes.command(router, "/consultations/{consultation_id}/held", "Record that it was held")
def hold_consultation(
    *,
    consultation_id: UUID,
    body: ConsultationHeld,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.hold_consultation(
        actor, consultation_id, summary=body.summary, meta=command.meta(body)
    )
    return command.answer(result, response)


@routes.command(router, "/consultations/{consultation_id}/cancellation", "Cancel")
def cancel_consultation(
    *,
    consultation_id: UUID,
    body: ConsultationCancellation,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.cancel_consultation(
        actor, consultation_id, reason=body.reason, meta=command.meta(body)
    )
    return command.answer(result, response)


@routes.creation(
    router,
    "/consultations/{consultation_id}/decisions",
    "Record a decision taken at a held consultation (If-Match: the consultation's version)",
    on_item=True,
)
def record_decision(
    *,
    consultation_id: UUID,
    body: DecisionCreate,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.record_decision(
        actor,
        consultation_id,
        text=body.text,
        priorities=body.priorities,
        meta=command.meta(body),
    )
    return command.answer(result, response, location="/decisions")


routes.item_read(
    router, "consultations", "consultation_id", ConsultationPublic, "Read a consultation"
)
