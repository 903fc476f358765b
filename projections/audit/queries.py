"""What readers ask of the audit trail: pages of entries in log order, filtered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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


@dataclass(frozen=True)
class AuditPage:
    entries: list[dict[str, Any]]
    next_cursor: int | None
    position: int


def audit_page(
    store: ReadStore, where: AuditFilter, *, after: int, limit: int, position: int
) -> AuditPage:
    """One page of the audit trail in log order; `after` is the cursor (a position)."""
    clauses = ["position > ?"]
    params: list[Any] = [after]
    dialect = store.dialect
    for column, value in (
        ("roadmap_id", where.roadmap_id),
        ("actor_party", where.party),
        ("event_type", where.event_type),
        ("stream_id", where.stream_id),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if where.since is not None:
        clauses.append("recorded_at >= ?")
        params.append(to_db("ts", where.since.isoformat(), dialect))
    if where.until is not None:
        clauses.append("recorded_at <= ?")
        params.append(to_db("ts", where.until.isoformat(), dialect))
    names = AUDIT.column_names
    with store.transaction() as cursor:
        cursor.execute(
            f"SELECT {', '.join(names)} FROM {AUDIT.name} "
            f"WHERE {' AND '.join(clauses)} ORDER BY position LIMIT ?",
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
