"""What readers ask of the read models: items, roadmaps, log positions (and the audit trail)."""

from __future__ import annotations

import time
from typing import Any

from domain.model.kinds import KINDS, ROADMAP
from projections.audit.queries import AuditFilter, AuditPage, audit_page
from projections.partnership.tables import ITEM_TABLES
from projections.runtime.db import ReadStore
from projections.runtime.runner import Runner, Stuck, stuck_projections
from projections.runtime.tables import TRACKING, Table, from_db

TABLES: dict[str, Table] = {kind.collection: ITEM_TABLES[kind.name] for kind in KINDS}


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

    def stuck(self) -> list[Stuck]:
        """Projections that cannot apply an event, where and why (the runner marks them)."""
        return stuck_projections(self.store)

    def item(self, collection: str, item_id: str) -> dict[str, Any] | None:
        table = TABLES[collection]
        with self.store.transaction() as cursor:
            cursor.execute(f"SELECT public FROM {table.name} WHERE id = ?", [item_id])
            row = cursor.fetchone()
        return None if row is None else from_db("json", row[0])

    def roadmaps(self) -> list[dict[str, Any]]:
        with self.store.transaction() as cursor:
            cursor.execute(
                f"SELECT public FROM {ITEM_TABLES[ROADMAP.name].name} WHERE NOT void "
                "ORDER BY adopted_on, id"
            )
            return [from_db("json", row[0]) for row in cursor.fetchall()]

    def audit(
        self, where: AuditFilter, *, after: int = 0, limit: int = 100, newest_first: bool = False
    ) -> AuditPage:
        return audit_page(
            self.store,
            where,
            after=after,
            limit=limit,
            position=self.position("audit"),
            newest_first=newest_first,
        )


__all__ = ["TABLES", "AuditFilter", "AuditPage", "ReadModels", "Stuck"]
