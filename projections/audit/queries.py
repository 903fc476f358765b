"""What readers ask of the audit trail: pages of entries in log order, filtered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from projections.audit.tables import AUDIT
from projections.runtime.db import ReadStore
from projections.runtime.tables import from_db, to_db


@dataclass(frozen=True)
class AuditFilter:
    roadmap_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    party: str | None = None
    event_type: str | None = None
    stream_id: str | None = None
    actor: str | None = None
    item_kind: str | None = None
    effective_from: date | None = None
    effective_to: date | None = None


@dataclass(frozen=True)
class AuditPage:
    entries: list[dict[str, Any]]
    next_cursor: int | None
    position: int


def audit_page(
    store: ReadStore,
    where: AuditFilter,
    *,
    after: int,
    limit: int,
    position: int,
    newest_first: bool = False,
) -> AuditPage:
    """One page of the audit trail in log order, or newest first; `after` is the cursor: the
    last position of the previous page (0: the first page, in either order)."""
    clauses = ["position < ?" if newest_first else "position > ?"]
    params: list[Any] = [after]
    if newest_first and not after:
        clauses, params = [], []
    dialect = store.dialect
    for column, value in (
        ("roadmap_id", where.roadmap_id),
        ("actor_party", where.party),
        ("event_type", where.event_type),
        ("stream_id", where.stream_id),
        ("actor", where.actor),
        ("item_kind", where.item_kind),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(to_db("text", value, dialect))
    if where.since is not None:
        clauses.append("recorded_at >= ?")
        params.append(to_db("ts", where.since.isoformat(), dialect))
    if where.until is not None:
        clauses.append("recorded_at <= ?")
        params.append(to_db("ts", where.until.isoformat(), dialect))
    if where.effective_from is not None:
        clauses.append("effective_on >= ?")
        params.append(to_db("date", where.effective_from.isoformat(), dialect))
    if where.effective_to is not None:
        clauses.append("effective_on <= ?")
        params.append(to_db("date", where.effective_to.isoformat(), dialect))
    names = AUDIT.column_names
    order = "DESC" if newest_first else "ASC"
    with store.transaction() as cursor:
        cursor.execute(
            f"SELECT {', '.join(names)} FROM {AUDIT.name} "
            f"WHERE {' AND '.join(clauses) or '1 = 1'} ORDER BY position {order} LIMIT ?",
            [*params, limit + 1],
        )
        rows = cursor.fetchall()
    kinds = dict(AUDIT.columns)
    entries = [
        {name: from_db(kinds[name], value) for name, value in zip(names, row, strict=True)}
        for row in rows[:limit]
    ]
    for entry in entries:
        entry.pop("effective_year")
    next_cursor = entries[-1]["position"] if len(rows) > limit else None
    return AuditPage(entries, next_cursor, position)


def moments(store: ReadStore, roadmap_id: str, *, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """When the roadmap's record changed, oldest first: one moment per event (position,
    recorded_at, event type, item kind, stream); and whether more than `limit` exist."""
    names = ("position", "recorded_at", "event_type", "item_kind", "stream_id")
    kinds = dict(AUDIT.columns)
    with store.transaction() as cursor:
        cursor.execute(
            f"SELECT {', '.join(names)} FROM {AUDIT.name} WHERE roadmap_id = ? "
            "ORDER BY position LIMIT ?",
            [roadmap_id, limit + 1],
        )
        rows = cursor.fetchall()
    found = [
        {name: from_db(kinds[name], value) for name, value in zip(names, row, strict=True)}
        for row in rows[:limit]
    ]
    return found, len(rows) > limit
