"""`/roadmaps`: adopt, list, read one, and its state (with time travel for auditors)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api import reads, routes
from api.auth import require_auditor
from api.deps import ActorDep, CreationDep, LedgerDep, ReaderDep
from api.openapi import READ_RESPONSES
from api.schemas.common import CommandAnswer, Day, Instant
from api.schemas.roadmaps import RoadmapCreate, RoadmapList, RoadmapPublic, RoadmapStatePublic
from domain.roadmap import Roadmap

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
        priorities=[p.to_domain() for p in body.priorities],
        summary=body.summary,
        meta=command.meta(body),
    )
    return command.answer(result, response, location="/roadmaps")


@routes.read(router, "/roadmaps", RoadmapList, "List the roadmaps")
def list_roadmaps(ledger: LedgerDep, response: Response) -> dict[str, Any]:
    return reads.roadmaps(ledger, response)


@routes.read(router, "/roadmaps/{roadmap_id}", RoadmapPublic, "Read a roadmap")
def get_roadmap(roadmap_id: UUID, ledger: LedgerDep, response: Response) -> Any:
    return reads.item(ledger, Roadmap, roadmap_id, response)


@router.get(
    "/roadmaps/{roadmap_id}/state",
    response_model=RoadmapStatePublic,
    responses=READ_RESPONSES,
    summary="The roadmap's state, now or as recorded at `as_of` / in effect on a date",
)
def get_state(
    *,
    roadmap_id: UUID,
    ledger: LedgerDep,
    actor: ReaderDep,
    response: Response,
    as_of: Annotated[
        Instant | None,
        Query(description="The record as it stood then (RFC 3339 with timezone; auditors)."),
    ] = None,
    effective_on: Annotated[
        Day | None, Query(description="What was in effect on that date (auditors).")
    ] = None,
) -> dict[str, Any]:
    if as_of is not None or effective_on is not None:
        require_auditor(actor)
    return reads.state(ledger, roadmap_id, response, as_of=as_of, effective_on=effective_on)
