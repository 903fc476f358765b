"""What readers ask of the read models: items, roadmaps, the audit trail, log positions."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.runtime.db import ReadStore
from projections.runtime.runner import Runner
from projections.runtime.tables import AUDIT, ITEM_TABLES, ROADMAPS, TRACKING, Table, from_db, to_db

TABLES: dict[str, Table] = {
    "roadmaps": ITEM_TABLES[0],
    "pledges": ITEM_TABLES[1],
    "consultations": ITEM_TABLES[2],
    "decisions": ITEM_TABLES[3],
    "exchanges": ITEM_TABLES[4],
    "reform-proposals": ITEM_TABLES[5],
}


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


class ReadModels:
    """Queries over the projections; `wait_for` gives read-your-writes."""

    def __init__(self, store: ReadStore, runner: Runner | None = None) -> None:
        self.store = store
        self.runner = runner

    def position(self, name: str = "partnership") -> int:
        with self.store.transaction() as cursor:
            cursor.execute(f"SELECT position FROM {TRACKING.name} WHERE name = ?", [name])
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def wait_for(self, position: int, timeout: float, name: str = "partnership") -> bool:
        """True once projection `name` reflects the log up to `position` (read-your-writes)."""
        deadline = time.monotonic() + timeout
        pause = 0.002
        while self.position(name) < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if self.runner is not None:
                # Woken by the in-process runner's commit; polled in case another process runs.
                with self.runner.advanced:
                    self.runner.advanced.wait(min(remaining, 0.05))
            else:
                time.sleep(min(pause, remaining))
                pause = min(pause * 2, 0.05)
        return True

    def item(self, collection: str, item_id: str) -> dict[str, Any] | None:
        table = TABLES[collection]
        with self.store.transaction() as cursor:
            cursor.execute(f"SELECT public FROM {table.name} WHERE id = ?", [item_id])
            row = cursor.fetchone()
        return None if row is None else from_db("json", row[0])

    def roadmaps(self) -> list[dict[str, Any]]:
        with self.store.transaction() as cursor:
            cursor.execute(
                f"SELECT public FROM {ROADMAPS.name} WHERE NOT void ORDER BY adopted_on, id"
            )
            return [from_db("json", row[0]) for row in cursor.fetchall()]

    def audit(self, where: AuditFilter, *, after: int = 0, limit: int = 100) -> AuditPage:
        """One page of the audit trail in log order; `after` is the cursor (a position)."""
        clauses = ["position > ?"]
        params: list[Any] = [after]
        dialect = self.store.dialect
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
        position = self.position("audit")
        with self.store.transaction() as cursor:
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
