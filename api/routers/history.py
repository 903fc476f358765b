"""`GET /{collection}/{id}/history`: every version of an item, when and by whom (auditors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from api import reads
from api.deps import AnswerLanguage, AuditorDep, MinPosition, ReadSideDep, SettingsDep
from api.localize import summarized
from api.openapi import READ_RESPONSES
from api.schemas.audit import HistoryAnswer
from domain.model.errors import NotFoundError
from domain.model.kinds import KINDS, Kind
from domain.model.plain import plain
from projections.audit.queries import AuditFilter

router = APIRouter(tags=["history"])
FIELDS = (
    "event_type",
    "summary_translated",
    "recorded_at",
    "effective_on",
    "actor",
    "actor_party",
    "summary",
    "data",
    "position",
    "hash",
)


def _history(kind: Kind) -> Callable[..., dict[str, Any]]:

    def history(
        *,
        item_id: UUID,
        side: ReadSideDep,
        settings: SettingsDep,
        _auditor: AuditorDep,
        response: Response,
        lang: AnswerLanguage,
        min_position: MinPosition = None,
    ) -> dict[str, Any]:
        reads.settle(side, settings, min_position, "audit")
        where = AuditFilter(stream_id=str(item_id))
        versions: list[dict[str, Any]] = []
        after = 0
        while True:
            page = side.models.audit(where, after=after, limit=1000)
            versions += [
                {"version": e["stream_version"], **{k: e[k] for k in FIELDS}}
                for e in (summarized(entry, lang) for entry in page.entries)
                if e["item_kind"] == kind.name
            ]
            if page.next_cursor is None:
                break
            after = page.next_cursor
        if not versions:
            raise NotFoundError(f"no {kind.noun} {item_id}")
        _with_authority(side, kind, item_id, versions)
        response.headers[reads.POSITION_HEADER] = str(page.position)
        return {"id": str(item_id), "versions": versions, "position": page.position}

    return history


def _with_authority(
    side: ReadSideDep, kind: Kind, item_id: UUID, versions: list[dict[str, Any]]
) -> None:
    """Each version's `authority` and `note`: metadata of the record that no leaf commits to,
    so they come from the item's events, not from the audit trail."""
    entries = {
        entry.version: entry for entry in side.ledger.get_item(kind.aggregate, item_id).entries
    }
    for version in versions:
        entry = entries.get(version["version"])
        version["authority"] = None if entry is None else plain(entry.authority)
        version["note"] = None if entry is None else plain(entry.note)


for _kind in KINDS:
    router.get(
        f"/{_kind.collection}/{{item_id}}/history",
        response_model=HistoryAnswer,
        responses=READ_RESPONSES,
        summary=f"Every version of one of the {_kind.collection.replace('-', ' ')}",
        name=f"history_{_kind.collection.replace('-', '_')}",
    )(_history(_kind))
