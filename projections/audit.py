"""The audit trail: every event in global order, with its leaf index and leaf hash."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.history import Entry
from projections.db import Cursor, Dialect
from projections.leaf import leaf_entry, leaf_hash
from projections.partnership import kind_of
from projections.summary import summarize
from projections.tables import AUDIT, Table


class AuditProjection:
    name = "audit"
    base_tables: tuple[Table, ...] = (AUDIT,)

    def __init__(self, suffix: str = "") -> None:
        self.audit = AUDIT.with_name(AUDIT.name + suffix)
        self.tables: tuple[Table, ...] = (self.audit,)

    def apply(
        self,
        cursor: Cursor,
        dialect: Dialect,
        events: Sequence[tuple[int, Any]],
        leaves: int,
    ) -> int:
        """Appends the batch's entries; answers the new number of leaves."""
        roadmaps = self._roadmaps_of(cursor, events)
        rows = []
        for offset, (position, event) in enumerate(events):
            entry = Entry.of(event)
            stream_id = str(event.originator_id)
            kind = kind_of(event)
            if entry.version == 1:
                roadmaps[stream_id] = str(entry.payload.get("roadmap_id", stream_id))
            fields = leaf_entry(stream_id, entry)
            row = {
                **fields,
                "position": position,
                "leaf_index": leaves + offset,
                "item_kind": kind,
                "roadmap_id": roadmaps.get(stream_id),
                "effective_year": entry.effective_on.year,
                "summary": summarize(
                    kind, entry.event_type, fields["data"], entry.actor, entry.actor_party
                ),
                "hash": leaf_hash(fields),
            }
            rows.append(self.audit.row(row, dialect))
        if rows:
            cursor.executemany(self.audit.insert(), rows)
        return leaves + len(rows)

    def _roadmaps_of(self, cursor: Cursor, events: Sequence[tuple[int, Any]]) -> dict[str, str]:
        """The roadmap of each stream that began before this batch, from its first entry."""
        earlier = sorted(
            {str(e.originator_id) for _, e in events}
            - {str(e.originator_id) for _, e in events if e.originator_version == 1}
        )
        found: dict[str, str] = {}
        for start in range(0, len(earlier), 500):
            chunk = earlier[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            cursor.execute(
                f"SELECT stream_id, roadmap_id FROM {self.audit.name} "
                f"WHERE stream_version = 1 AND stream_id IN ({marks})",
                chunk,
            )
            found.update({row[0]: row[1] for row in cursor.fetchall()})
        return found
