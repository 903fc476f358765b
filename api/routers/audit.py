"""The audit trail and its proofs: for auditors and admins (DESIGN.md, verifiable audit trail)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response
from fastapi.responses import PlainTextResponse

from api import reads
from api.deps import AuditorDep, MinPosition, ReadSideDep, SettingsDep
from api.openapi import READ_RESPONSES
from api.problems import ProblemError
from api.schemas.audit import AuditPage, ConsistencyProof, InclusionProof, TreeHead
from api.schemas.common import Instant
from domain.model.errors import NotFoundError
from projections.audit import proofs
from projections.audit.queries import AuditFilter

router = APIRouter(tags=["audit"])

Party = Annotated[str | None, Query(pattern=r"^[A-Z]{2}$", description="Only this actor party.")]
EventType = Annotated[
    str | None, Query(pattern=r"^[A-Za-z]{1,64}$", description="Only this event type, e.g. Made.")
]
Since = Annotated[Instant | None, Query(description="Recorded at or after (RFC 3339).")]
Until = Annotated[Instant | None, Query(description="Recorded at or before (RFC 3339).")]
After = Annotated[
    int, Query(ge=0, le=2**62, description="Cursor: entries after this position (next_cursor).")
]
Limit = Annotated[int, Query(ge=1, le=1000, description="Entries per page.")]
Size = Annotated[int, Query(ge=1, le=2**62)]


def _filter(**values: Any) -> AuditFilter:
    """UUIDs as the read models store them."""
    converted: dict[str, Any] = {k: str(v) if isinstance(v, UUID) else v for k, v in values.items()}
    return AuditFilter(**converted)


@router.get(
    "/roadmaps/{roadmap_id}/audit",
    response_model=AuditPage,
    responses=READ_RESPONSES,
    summary="The roadmap's audit trail, in log order (cursor pagination)",
)
def roadmap_audit(
    *,
    roadmap_id: UUID,
    side: ReadSideDep,
    settings: SettingsDep,
    _auditor: AuditorDep,
    response: Response,
    after: After = 0,
    limit: Limit = 100,
    since: Since = None,
    until: Until = None,
    party: Party = None,
    event_type: EventType = None,
    stream_id: Annotated[UUID | None, Query(description="Only this item's events.")] = None,
    min_position: MinPosition = None,
) -> dict[str, Any]:
    where = _filter(
        roadmap_id=roadmap_id,
        since=since,
        until=until,
        party=party,
        event_type=event_type,
        stream_id=stream_id,
    )
    return reads.audit(
        side, settings, response, where, after=after, limit=limit, min_position=min_position
    )


@router.get(
    "/audit/entries",
    response_model=AuditPage,
    responses=READ_RESPONSES,
    summary="The whole audit trail, every roadmap, in log order",
)
def all_audit(
    *,
    side: ReadSideDep,
    settings: SettingsDep,
    _auditor: AuditorDep,
    response: Response,
    after: After = 0,
    limit: Limit = 100,
    since: Since = None,
    until: Until = None,
    party: Party = None,
    event_type: EventType = None,
    min_position: MinPosition = None,
) -> dict[str, Any]:
    where = _filter(since=since, until=until, party=party, event_type=event_type)
    return reads.audit(
        side, settings, response, where, after=after, limit=limit, min_position=min_position
    )


@router.get(
    "/audit/tree-head",
    response_model=TreeHead,
    responses=READ_RESPONSES,
    summary="The latest signed tree head, or the one signed at `tree_size` leaves",
)
def tree_head(
    side: ReadSideDep,
    _auditor: AuditorDep,
    tree_size: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> dict[str, Any]:
    head = proofs.tree_head(side.store, tree_size)
    if head is None:
        which = "yet" if tree_size is None else f"at tree size {tree_size}"
        raise NotFoundError(f"no signed tree head {which}")
    return head


@router.get(
    "/audit/public-key",
    responses={
        **READ_RESPONSES,
        200: {
            "description": "The PEM text.",
            "content": {"application/x-pem-file": {"schema": {"type": "string"}}},
        },
    },
    summary="The Ed25519 public key (PEM) that verifies the tree heads",
)
def public_key(side: ReadSideDep, _auditor: AuditorDep) -> PlainTextResponse:
    return PlainTextResponse(side.signer.public_pem(), media_type="application/x-pem-file")


def _proof_problem(error: proofs.ProofRangeError) -> ProblemError:
    return ProblemError(422, "proof-out-of-range", str(error), field=error.field)


@router.get(
    "/audit/proofs/inclusion",
    response_model=InclusionProof,
    responses=READ_RESPONSES,
    summary="RFC 9162 inclusion proof of a leaf in the tree of `tree_size` leaves",
)
def inclusion(
    side: ReadSideDep,
    _auditor: AuditorDep,
    leaf_index: Annotated[int, Query(ge=0, le=2**62)],
    tree_size: Size,
) -> dict[str, Any]:
    try:
        return proofs.inclusion(side.store, leaf_index, tree_size)
    except proofs.ProofRangeError as error:
        raise _proof_problem(error) from None


@router.get(
    "/audit/proofs/consistency",
    response_model=ConsistencyProof,
    responses=READ_RESPONSES,
    summary="RFC 9162 consistency proof between two tree sizes",
)
def consistency(
    side: ReadSideDep, _auditor: AuditorDep, first: Size, second: Size
) -> dict[str, Any]:
    try:
        return proofs.consistency(side.store, first, second)
    except proofs.ProofRangeError as error:
        raise _proof_problem(error) from None
