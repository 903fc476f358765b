"""Situation analyses and assessments: shared by one party, acknowledged by the other,
superseded by a newer one or withdrawn."""

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
from api.schemas.assessments import (
    AssessmentCreate,
    AssessmentPublic,
    AssessmentSupersession,
    AssessmentWithdrawal,
)
from api.schemas.common import CommandAnswer, StepBody

router = APIRouter(tags=["assessments"])


@routes.creation(router, "/roadmaps/{roadmap_id}/assessments", "Share an assessment")
def share_assessment(
    *,
    roadmap_id: UUID,
    body: AssessmentCreate,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CreationDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.share_assessment(
        actor,
        roadmap_id,
        from_party=body.from_party,
        to_party=body.to_party,
        title=body.title,
        subject=body.subject,
        priorities=body.priorities,
        summary=body.summary,
        marking=body.marking,
        shared_on=body.shared_on,
        meta=command.meta(body),
    )
    return command.answer(result, response, location="/assessments")


@routes.command(
    router,
    "/assessments/{assessment_id}/acknowledgement",
    "Acknowledge an assessment (receiving party)",
)
def acknowledge_assessment(
    *,
    assessment_id: UUID,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
    body: Annotated[StepBody | None, Body()] = None,
) -> CommandAnswer:
    result = ledger.acknowledge_assessment(
        actor, assessment_id, meta=command.meta(body or StepBody())
    )
    return command.answer(result, response)


@routes.command(
    router,
    "/assessments/{assessment_id}/supersession",
    "Record that a newer assessment replaces it (sharing party)",
)
def supersede_assessment(
    *,
    assessment_id: UUID,
    body: AssessmentSupersession,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.supersede_assessment(actor, assessment_id, by=body.by, meta=command.meta(body))
    return command.answer(result, response)


@routes.command(
    router, "/assessments/{assessment_id}/withdrawal", "Withdraw an assessment (sharing party)"
)
def withdraw_assessment(
    *,
    assessment_id: UUID,
    body: AssessmentWithdrawal,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CommandDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.withdraw_assessment(
        actor, assessment_id, reason=body.reason, meta=command.meta(body)
    )
    return command.answer(result, response)


routes.item_read(router, "assessments", "assessment_id", AssessmentPublic, "Read an assessment")
