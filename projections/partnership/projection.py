"""Partnership state: every item's current state, folded incrementally, batch by batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from domain.application.service import RoadmapLedger
from domain.model.history import AMENDMENTS, Entry, view
from domain.model.item import Item
from domain.model.kinds import BY_NAME, ROADMAP, kind_name_of
from domain.model.public import public_fields
from projections.partnership.tables import (
    ITEM_PRIORITIES,
    ITEM_TABLES,
    MEMBERS,
    PRIORITIES,
    TABLES,
    columns_of,
    text_columns,
)
from projections.runtime.cache import ItemCache
from projections.runtime.db import Cursor, Dialect, ReadModelTranscoder, among, insert_many
from projections.runtime.runner import Recorded
from projections.runtime.tables import Table, from_db


def _utc(value: Any) -> datetime:
    return datetime.fromisoformat(from_db("ts", value)).astimezone(UTC)


@dataclass
class Record:
    """An item as the projection holds it between events."""

    kind: str
    item_id: UUID
    state: Any
    version: int
    void: bool
    recorded_at: datetime
    updated_at: datetime
    effective_on: date

    def public(self) -> dict[str, Any]:
        return public_fields(
            self.item_id,
            self.state,
            version=self.version,
            void=self.void,
            recorded_at=self.recorded_at,
            updated_at=self.updated_at,
            effective_on=self.effective_on,
        )


class PartnershipProjection:
    name = "partnership"
    #: What its rows mean; a new version rebuilds it from the log (2: bilingual texts).
    version = 2
    base_tables = TABLES

    def __init__(self, app: RoadmapLedger, suffix: str = "") -> None:
        """`suffix` names a fresh set of tables (a rebuild builds them beside the live ones)."""
        self.app = app
        self.transcoder = ReadModelTranscoder()
        self.table = {t.name: t.with_name(t.name + suffix) for t in self.base_tables}
        self.tables = tuple(self.table.values())
        self.cache: ItemCache[Record] = ItemCache(10_000)

    def _item_table(self, kind: str) -> Table:
        return self.table[ITEM_TABLES[kind].name]

    def forget(self) -> None:
        self.cache.clear()

    def apply(self, cursor: Cursor, dialect: Dialect, events: Sequence[Recorded]) -> None:
        records = self._load(cursor, dialect, events)
        for _, event, _ in events:
            self._evolve(records, event)
        self._store(cursor, dialect, list(records.values()))
        for record in records.values():
            self.cache.put(str(record.item_id), record)

    def _load(
        self, cursor: Cursor, dialect: Dialect, events: Sequence[Recorded]
    ) -> dict[UUID, Record]:
        wanted: dict[str, set[UUID]] = {}
        created = {e.originator_id for _, e, _ in events if e.originator_version == 1}
        records: dict[UUID, Record] = {}
        for _, event, _ in events:
            if event.originator_id in created or event.originator_id in records:
                continue
            cached = self.cache.get(str(event.originator_id))
            if cached is not None:
                records[event.originator_id] = cached
            else:
                wanted.setdefault(kind_name_of(event), set()).add(event.originator_id)
        for kind, ids in wanted.items():
            state_class = BY_NAME[kind].state
            where, params = among(dialect, "id", [str(i) for i in ids])
            cursor.execute(
                "SELECT id, version, void, recorded_at, updated_at, effective_on, state "
                f"FROM {self._item_table(kind).name} WHERE {where}",
                params,
            )
            for row in cursor.fetchall():
                item_id = UUID(row[0])
                records[item_id] = Record(
                    kind=kind,
                    item_id=item_id,
                    state=state_class(**self.transcoder.decode(from_db("blob", row[6]))),
                    version=row[1],
                    void=bool(row[2]),
                    recorded_at=_utc(row[3]),
                    updated_at=_utc(row[4]),
                    effective_on=date.fromisoformat(from_db("date", row[5])),
                )
        return records

    def _evolve(self, records: dict[UUID, Record], event: Any) -> None:
        kind = kind_name_of(event)
        aggregate = BY_NAME[kind].aggregate
        entry = Entry.of(event)
        item_id: UUID = event.originator_id
        if entry.version == 1:
            records[item_id] = Record(
                kind=kind,
                item_id=item_id,
                state=aggregate.evolve(None, entry),
                version=1,
                void=False,
                recorded_at=entry.recorded_at,
                updated_at=entry.recorded_at,
                effective_on=entry.effective_on,
            )
            return
        record = records[item_id]
        record.version = entry.version
        record.updated_at = entry.recorded_at
        if entry.event_type in AMENDMENTS:
            # A correction re-folds the item's entries up to this very event.
            item: Item = self.app.repository.get(item_id, version=entry.version)
            seen = view(item.entries)
            record.state = aggregate.fold(seen.entries)
            record.void = seen.void
            record.effective_on = seen.entries[0].effective_on
        else:
            record.state = aggregate.evolve(record.state, entry)

    def _store(self, cursor: Cursor, dialect: Dialect, records: list[Record]) -> None:
        if not records:
            return
        by_kind: dict[str, list[tuple[Any, ...]]] = {}
        priorities: list[tuple[Any, ...]] = []
        item_priorities: list[tuple[Any, ...]] = []
        members: list[tuple[Any, ...]] = []
        for record in records:
            public = record.public()
            values = {
                **public,
                **{c.name: c.value(public) for c in columns_of(BY_NAME[record.kind])},
                "roadmap_id": public.get("roadmap_id", public["id"]),
                "public": public,
                "state": self.transcoder.encode(vars(record.state)),
            }
            by_kind.setdefault(record.kind, []).append(
                self._item_table(record.kind).row(values, dialect)
            )
            item = public["id"]
            if record.kind == ROADMAP.name:
                priorities.extend(
                    PRIORITIES.row(
                        {
                            "roadmap_id": item,
                            "code": p["code"],
                            **text_columns("title", p["title"]),
                            "ord": n,
                        },
                        dialect,
                    )
                    for n, p in enumerate(public["priorities"])
                )
            for code in public.get("priorities", []) if record.kind != ROADMAP.name else []:
                item_priorities.append(
                    ITEM_PRIORITIES.row(
                        {"item_id": item, "code": code, "item_kind": record.kind}, dialect
                    )
                )
            for role in ("co_chairs", "invited_co_chairs", "endorsements", "sponsors"):
                members.extend(
                    MEMBERS.row({"item_id": item, "role": role, "party": party}, dialect)
                    for party in public.get(role, [])
                )
        for kind, rows in by_kind.items():
            insert_many(cursor, dialect, self._item_table(kind), rows, upsert=True)
        ids = [str(r.item_id) for r in records]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for table, column in (
                (PRIORITIES, "roadmap_id"),
                (ITEM_PRIORITIES, "item_id"),
                (MEMBERS, "item_id"),
            ):
                where, params = among(dialect, column, chunk)
                cursor.execute(f"DELETE FROM {self.table[table.name].name} WHERE {where}", params)
        for table, rows in (
            (PRIORITIES, priorities),
            (ITEM_PRIORITIES, item_priorities),
            (MEMBERS, members),
        ):
            insert_many(cursor, dialect, self.table[table.name], rows)
