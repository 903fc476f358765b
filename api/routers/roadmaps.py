"""`/roadmaps`: adopt, list, read one, and its state (with time travel for auditors)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from api import reads, routes
from api.auth import require_auditor
from api.deps import (
    ActorDep,
    AnswerLanguage,
    AsOf,
    CreationDep,
    EffectiveOn,
    LedgerDep,
    MinPosition,
    ReaderDep,
    ReadSideDep,
    SettingsDep,
)
from api.openapi import READ_RESPONSES
from api.schemas.common import CommandAnswer
from api.schemas.roadmaps import RoadmapCreate, RoadmapList, RoadmapPublic, RoadmapStatePublic

router = APIRouter(tags=["roadmaps"])


@routes.creation(router, "/roadmaps", "Adopt a roadmap")
def adopt_roadmap(
    *,
    body: RoadmapCreate,
    ledger: LedgerDep,
    actor: ActorDep,
    command: CreationDep,
    response: Response,
) -> CommandAnswer:
    result = ledger.adopt_roadmap(
        actor,
        title=body.title,
        parties=body.parties,
        adopted_on=body.adopted_on,
        priorities=[p.to_domain(command.lang) for p in body.priorities],
        summary=body.summary,
        meta=command.meta(body),
    )
    return command.answer(result, response, location="/roadmaps")


@routes.read(router, "/roadmaps", RoadmapList, "List the roadmaps")
def list_roadmaps(
    side: ReadSideDep,
    settings: SettingsDep,
    response: Response,
    lang: AnswerLanguage,
    min_position: MinPosition = None,
) -> dict[str, Any]:
    return reads.roadmaps(side, settings, response, min_position, lang)


routes.item_read(router, "roadmaps", "roadmap_id", RoadmapPublic, "Read a roadmap")


@router.get(
    "/roadmaps/{roadmap_id}/state",
    response_model=RoadmapStatePublic,
    responses=READ_RESPONSES,
    summary="The roadmap's state, now or as recorded at `as_of` / in effect on a date",
)
def get_state(
    *,
    roadmap_id: UUID,
    side: ReadSideDep,
    settings: SettingsDep,
    actor: ReaderDep,
    lang: AnswerLanguage,
    min_position: MinPosition = None,
    as_of: AsOf = None,
    effective_on: EffectiveOn = None,
) -> Response:
    if as_of is not None or effective_on is not None:
        require_auditor(actor)
    return reads.state(
        side,
        settings,
        roadmap_id,
        min_position=min_position,
        as_of=as_of,
        effective_on=effective_on,
        lang=lang,
    )
