"""The audit trail and its proofs: for auditors and admins (DESIGN.md, verifiable audit trail)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import PlainTextResponse

from api import reads
from api.deps import (
    AnswerLanguage,
    AuditorDep,
    MinPosition,
    ReadSideDep,
    SettingsDep,
    require_json,
)
from api.language import Language
from api.openapi import READ_RESPONSES, Responses, problems
from api.problems import ProblemError
from api.readside import ReadSide
from api.schemas.audit import (
    AuditPage,
    ConsistencyProof,
    CosignatureAnswer,
    CosignatureBody,
    InclusionProof,
    TreeHead,
)
from api.schemas.common import Day, Instant
from api.settings import Settings
from domain.model.errors import NotFoundError
from projections.audit import checkpoints, proofs
from projections.audit.notes import Note, VerifierKey
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
ActorName = Annotated[
    str | None, Query(min_length=1, max_length=200, description="Only this actor (token subject).")
]
ItemKind = Annotated[
    str | None,
    Query(pattern=r"^[A-Za-z]{1,64}$", description="Only this item kind, e.g. Pledge, Roadmap."),
]
EffectiveFrom = Annotated[Day | None, Query(description="Effective on or after (YYYY-MM-DD).")]
EffectiveTo = Annotated[Day | None, Query(description="Effective on or before (YYYY-MM-DD).")]
Order = Annotated[
    Literal["asc", "desc"],
    Query(
        description="`asc`: log order (default); `desc`: newest first. `after` is the cursor "
        "in either order (the `next_cursor` of the previous page)."
    ),
]
Size = Annotated[int, Query(ge=1, le=2**62)]


@dataclass(frozen=True)
class AuditQuery:
    """What a page of the audit trail asks for: its filter (roadmap aside) and its place."""

    where: dict[str, Any]
    after: int
    limit: int
    newest_first: bool
    min_position: int | None


def audit_query(
    *,
    after: After = 0,
    limit: Limit = 100,
    since: Since = None,
    until: Until = None,
    party: Party = None,
    event_type: EventType = None,
    stream_id: Annotated[UUID | None, Query(description="Only this item's events.")] = None,
    actor: ActorName = None,
    item_kind: ItemKind = None,
    effective_from: EffectiveFrom = None,
    effective_to: EffectiveTo = None,
    order: Order = "asc",
    min_position: MinPosition = None,
) -> AuditQuery:
    """The query parameters both audit routes take, read once."""
    where = {
        "since": since,
        "until": until,
        "party": party,
        "event_type": event_type,
        "stream_id": stream_id,
        "actor": actor,
        "item_kind": item_kind,
        "effective_from": effective_from,
        "effective_to": effective_to,
    }
    return AuditQuery(where, after, limit, order == "desc", min_position)


AuditQueryDep = Annotated[AuditQuery, Depends(audit_query)]


def _page(
    side: ReadSide,
    settings: Settings,
    response: Response,
    lang: Language,
    query: AuditQuery,
    *,
    roadmap_id: UUID | None = None,
) -> dict[str, Any]:
    values = {**query.where, "roadmap_id": roadmap_id} if roadmap_id else query.where
    # UUIDs as the read models store them.
    stored: dict[str, Any] = {k: str(v) if isinstance(v, UUID) else v for k, v in values.items()}
    where = AuditFilter(**stored)
    return reads.audit(
        side,
        settings,
        response,
        where,
        after=query.after,
        limit=query.limit,
        min_position=query.min_position,
        lang=lang,
        newest_first=query.newest_first,
    )


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
    lang: AnswerLanguage,
    query: AuditQueryDep,
) -> dict[str, Any]:
    return _page(side, settings, response, lang, query, roadmap_id=roadmap_id)


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
    lang: AnswerLanguage,
    query: AuditQueryDep,
) -> dict[str, Any]:
    return _page(side, settings, response, lang, query)


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
    note = checkpoints.cosigned(side.store, int(head["tree_size"]), _witness_keys(side))
    return {**head, "checkpoint": None if note is None else note.serialize()}


def _witness_keys(side: ReadSide) -> list[VerifierKey]:
    return [witness.key for witness in side.witnesses]


def _text(description: str, example: str) -> Responses:
    """A plain-text answer (C2SP formats are text, byte for byte), and the read problems.

    FastAPI would document the problems in the route's media type (text/plain); they are
    declared as JSON here, which `api.openapi` turns into application/problem+json like all.
    """
    content = {"text/plain": {"schema": {"type": "string"}, "example": example}}
    problem = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    errors = {
        status: {"description": response["description"], "content": problem}
        for status, response in READ_RESPONSES.items()
        if status != 200  # noqa: PLR2004
    }
    return {**errors, 200: {"description": description, "content": content}}


_CHECKPOINT_EXAMPLE = (
    "ledger.example.org/roadmap\n38\nXZp3AJv7yN2pO1tM1aJQk3s8kW6Rr3sV0mXo0XnY4b0=\n\n"
    "— ledger.example.org/roadmap Aw4yk0ZrVb…\n"
)


def _checkpoint(side: ReadSide, tree_size: int | None) -> Note:
    note = checkpoints.cosigned(side.store, tree_size, _witness_keys(side))
    if note is None:
        detail = (
            "no checkpoint is signed yet"
            if tree_size is None
            else f"no checkpoint was signed at tree size {tree_size} (heads signed before "
            "checkpoints existed have none; GET /audit/tree-head has them)"
        )
        raise ProblemError(404, "no-checkpoint", detail, field="tree_size")
    return note


@router.get(
    "/audit/checkpoint",
    response_class=PlainTextResponse,
    responses=_text(
        "The C2SP tlog-checkpoint: origin, tree size, root hash (base64), a blank line, the "
        "log's signature and every witness's cosignature.",
        _CHECKPOINT_EXAMPLE,
    ),
    summary="The latest checkpoint (signed note), or the one signed at `tree_size` leaves",
)
def checkpoint(
    side: ReadSideDep,
    _auditor: AuditorDep,
    tree_size: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> PlainTextResponse:
    return PlainTextResponse(_checkpoint(side, tree_size).serialize())


@router.get(
    "/audit/verifier-key",
    response_class=PlainTextResponse,
    responses=_text(
        "`<name>+<hex key ID>+<base64(0x01 ‖ public key)>`, the key name being the log's origin.",
        "ledger.example.org/roadmap+3f6b1c2d+AR3l…\n",
    ),
    summary="The signed-note verifier key that checks the checkpoints",
)
def verifier_key(side: ReadSideDep, _auditor: AuditorDep) -> PlainTextResponse:
    origin = checkpoints.log_origin(side.store)
    if origin is None:  # settled when the read side starts: only a damaged store lacks it
        raise ProblemError(404, "no-origin", "this store's log has no origin yet")
    return PlainTextResponse(side.signer.verifier_key(origin).text() + "\n")


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
    "/audit/proofs/bundle",
    response_class=PlainTextResponse,
    responses=_text(
        "C2SP tlog-proof@v1: `extra` (base64 of the leaf's canonical entry), `index`, the "
        "inclusion path (base64), a blank line, the checkpoint with every cosignature.",
        "c2sp.org/tlog-proof@v1\nextra eyJhY3Rvci…\nindex 4\n…\n\n" + _CHECKPOINT_EXAMPLE,
    ),
    summary="An offline proof that one entry is in a signed checkpoint (latest by default)",
)
def bundle(
    side: ReadSideDep,
    _auditor: AuditorDep,
    leaf_index: Annotated[int, Query(ge=0, le=2**62)],
    tree_size: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> PlainTextResponse:
    note = _checkpoint(side, tree_size)
    try:
        return PlainTextResponse(proofs.bundle(side.store, leaf_index, note))
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


@router.post(
    "/audit/cosignatures",
    response_model=CosignatureAnswer,
    responses={
        200: {"description": "Verified and kept; the checkpoint now carries it."},
        **problems(401, 403, 404, 413, 415, 422, 429),
    },
    dependencies=[Depends(require_json)],
    summary="Keep a witness's cosignature of a stored checkpoint (refused unless it verifies)",
)
def add_cosignature(side: ReadSideDep, _auditor: AuditorDep, body: CosignatureBody) -> Any:
    note = _checkpoint(side, body.tree_size)
    keys = _witness_keys(side)
    try:
        witness, time = checkpoints.add_cosignature(side.store, note, body.cosignature, keys)
    except checkpoints.CosignatureError as error:
        raise ProblemError(422, "cosignature-refused", str(error), field="cosignature") from None
    served = _checkpoint(side, body.tree_size)
    return {
        "tree_size": body.tree_size,
        "witness": witness.name,
        "key_id": witness.key_id.hex(),
        "time": time,
        "checkpoint": served.serialize(),
    }
