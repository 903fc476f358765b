"""What the auditor's workbench asks that no other route answers: who the token is, and the
moments a roadmap's record changed (the time-travel slider)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api import reads
from api.deps import AuditorDep, MinPosition, ReaderDep, ReadSideDep, SettingsDep
from api.openapi import READ_RESPONSES
from api.schemas.workbench import Caller, Moments
from domain.model.errors import NotFoundError
from domain.model.values import Role
from projections.audit.queries import moments as moments_of

router = APIRouter(tags=["workbench"])

#: The most moments one answer lists: a slider of more is no longer usable by hand.
MOMENTS_LIMIT = 10_000


@router.get(
    "/me",
    response_model=Caller,
    responses=READ_RESPONSES,
    summary="Who the bearer token is: subject, party, roles, and what they may do",
)
def me(actor: ReaderDep) -> dict[str, Any]:
    roles = actor.roles
    auditing = bool(roles & {Role.AUDITOR, Role.ADMIN})
    return {
        "sub": actor.subject,
        "party": actor.party,
        "roles": sorted(role.value for role in roles),
        "may": {
            "read_state": True,
            "read_reports": True,
            "audit_trail": auditing,
            "time_travel": auditing,
            "record": bool(roles & {Role.OFFICIAL, Role.ADMIN}),
        },
    }


@router.get(
    "/roadmaps/{roadmap_id}/moments",
    response_model=Moments,
    responses=READ_RESPONSES,
    summary="Every moment the roadmap's record changed, oldest first (for as_of)",
)
def moments(
    *,
    roadmap_id: UUID,
    side: ReadSideDep,
    settings: SettingsDep,
    _auditor: AuditorDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=MOMENTS_LIMIT)] = MOMENTS_LIMIT,
    min_position: MinPosition = None,
) -> dict[str, Any]:
    position = reads.settle(side, settings, min_position, "audit")
    found, more = moments_of(side.store, str(roadmap_id), limit=limit)
    if not found:
        raise NotFoundError(f"no roadmap {roadmap_id} (log position {position})")
    response.headers[reads.POSITION_HEADER] = str(position)
    return {
        "roadmap_id": str(roadmap_id),
        "moments": found,
        "truncated": more,
        "position": position,
    }
