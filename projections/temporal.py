"""Bitemporal history of every item, so time travel is an indexed query, not a replay.

A segment row says: from `recorded_from` until `recorded_to` (system time), the record held that
the item's state was `public` on every date from `effective_from` until `effective_to` (valid
time). Each new event closes only the segments whose state it changed: an event effective on
the latest date closes one. The version and last update time, which change with every event,
live in their own rows so that they do not multiply the segments.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.history import Entry, view
from domain.item import Item
from domain.plain import plain
from domain.replay import public_fields
from domain.transcoding import LedgerTranscoder
from projections.db import Cursor, Dialect
from projections.partnership import KINDS, kind_of
from projections.tables import ENTRIES, ITEM_VERSIONS, SEGMENTS, Table, from_db, to_db

PER_ANSWER = ("version", "updated_at")


@dataclass(frozen=True)
class Segment:
    effective_from: date
    effective_to: date | None
    public: dict[str, Any]

    @property
    def key(self) -> tuple[date, date | None, str]:
        return (self.effective_from, self.effective_to, json.dumps(self.public, sort_keys=True))


def segments(cls: type[Item], item_id: UUID, entries: list[Entry]) -> list[Segment]:
    """The item's state on every date, by the record as it stands after `entries`."""
    seen = view(entries)
    if not seen.exists:
        return []
    in_force = seen.entries
    created_on = in_force[0].effective_on
    dates = sorted({created_on} | {e.effective_on for e in in_force if e.effective_on > created_on})
    found: list[Segment] = []
    for n, day in enumerate(dates):
        public = public_fields(
            item_id,
            cls.fold([e for e in in_force if e.effective_on <= day]),
            version=0,
            void=seen.void,
            recorded_at=entries[0].recorded_at,
            updated_at=entries[0].recorded_at,
            effective_on=created_on,
        )
        for name in PER_ANSWER:
            public.pop(name)
        following = dates[n + 1] if n + 1 < len(dates) else None
        if found and found[-1].public == public:
            found[-1] = Segment(found[-1].effective_from, following, public)
        else:
            found.append(Segment(day, following, public))
    return found


@dataclass
class Row:
    """A segment or version row: `stored` rows exist already and can only be closed."""

    values: dict[str, Any]
    stored: bool = False


@dataclass
class ItemHistory:
    kind: str
    roadmap_id: str
    entries: list[Entry] = field(default_factory=list)
    open_segments: dict[tuple[date, date | None, str], Row] = field(default_factory=dict)
    open_version: Row | None = None


class TemporalProjection:
    name = "temporal"
    base_tables: tuple[Table, ...] = (ENTRIES, SEGMENTS, ITEM_VERSIONS)

    def __init__(self, suffix: str = "") -> None:
        self.entries = ENTRIES.with_name(ENTRIES.name + suffix)
        self.segments = SEGMENTS.with_name(SEGMENTS.name + suffix)
        self.versions = ITEM_VERSIONS.with_name(ITEM_VERSIONS.name + suffix)
        self.tables: tuple[Table, ...] = (self.entries, self.segments, self.versions)
        self.transcoder = LedgerTranscoder()

    def apply(
        self, cursor: Cursor, dialect: Dialect, events: Sequence[tuple[int, Any]], leaves: int
    ) -> int:
        items = self._load(cursor, events)
        new_entries: list[tuple[Any, ...]] = []
        rows: list[tuple[Table, Row]] = []
        closed: list[tuple[Table, Row]] = []
        for _, event in events:
            entry = Entry.of(event)
            item_id = str(event.originator_id)
            if entry.version == 1:
                roadmap = str(entry.payload.get("roadmap_id", item_id))
                items[item_id] = ItemHistory(kind_of(event), roadmap)
            item = items[item_id]
            item.entries.append(entry)
            new_entries.append((item_id, entry.version, self.transcoder.encode(vars(entry))))
            moment = entry.recorded_at
            wanted = {
                s.key: s
                for s in segments(KINDS[item.kind].aggregate, event.originator_id, item.entries)
            }
            for key in [k for k in item.open_segments if k not in wanted]:
                row = item.open_segments.pop(key)
                row.values["recorded_to"] = moment
                if row.stored:
                    closed.append((self.segments, row))
            for key, segment in wanted.items():
                if key not in item.open_segments:
                    row = Row(
                        {
                            "item_id": item_id,
                            "recorded_from": moment,
                            "effective_from": segment.effective_from,
                            "effective_to": segment.effective_to,
                            "kind": item.kind,
                            "roadmap_id": item.roadmap_id,
                            "void": segment.public["void"],
                            "public": segment.public,
                        }
                    )
                    item.open_segments[key] = row
                    rows.append((self.segments, row))
            if item.open_version is not None:
                item.open_version.values["recorded_to"] = moment
                if item.open_version.stored:
                    closed.append((self.versions, item.open_version))
            item.open_version = Row(
                {
                    "item_id": item_id,
                    "recorded_from": moment,
                    "version": entry.version,
                    "updated_at": moment,
                }
            )
            rows.append((self.versions, item.open_version))
        cursor.executemany(self.entries.insert(), new_entries)
        for table in (self.segments, self.versions):
            self._close(cursor, dialect, table, [r for t, r in closed if t is table])
            added = [table.row(plain(r.values), dialect) for t, r in rows if t is table]
            if added:
                cursor.executemany(table.insert(), added)
        return leaves

    @staticmethod
    def _close(cursor: Cursor, dialect: Dialect, table: Table, rows: list[Row]) -> None:
        """Ends the system-time period of rows stored by earlier batches."""
        if not rows:
            return
        key = [name for name in table.key if name != "item_id"]
        where = " AND ".join(f"{name} = ?" for name in key)
        kinds = dict(table.columns)
        cursor.executemany(
            f"UPDATE {table.name} SET recorded_to = ? WHERE item_id = ? AND {where}",
            [
                [
                    to_db("ts", plain(row.values["recorded_to"]), dialect),
                    row.values["item_id"],
                    *(to_db(kinds[name], plain(row.values[name]), dialect) for name in key),
                ]
                for row in rows
            ],
        )

    def _load(self, cursor: Cursor, events: Sequence[tuple[int, Any]]) -> dict[str, ItemHistory]:
        created = {str(e.originator_id) for _, e in events if e.originator_version == 1}
        earlier = sorted({str(e.originator_id) for _, e in events} - created)
        items: dict[str, ItemHistory] = {}
        for start in range(0, len(earlier), 500):
            chunk = earlier[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            cursor.execute(
                "SELECT item_id, recorded_from, effective_from, effective_to, kind, roadmap_id, "
                f"void, public FROM {self.segments.name} "
                f"WHERE recorded_to IS NULL AND item_id IN ({marks})",
                chunk,
            )
            for (
                item_id,
                recorded_from,
                eff_from,
                eff_to,
                kind,
                roadmap,
                void,
                public,
            ) in cursor.fetchall():
                item = items.setdefault(item_id, ItemHistory(kind, roadmap))
                values = {
                    "item_id": item_id,
                    "recorded_from": _moment(recorded_from),
                    "effective_from": _day(eff_from),
                    "effective_to": None if eff_to is None else _day(eff_to),
                    "public": from_db("json", public),
                    "void": bool(void),
                }
                segment = Segment(
                    values["effective_from"], values["effective_to"], values["public"]
                )
                item.open_segments[segment.key] = Row(values, stored=True)
            cursor.execute(
                f"SELECT item_id, entry FROM {self.entries.name} "
                f"WHERE item_id IN ({marks}) ORDER BY item_id, version",
                chunk,
            )
            for item_id, blob in cursor.fetchall():
                decoded = self.transcoder.decode(from_db("blob", blob))
                items[item_id].entries.append(Entry(**decoded))
            cursor.execute(
                f"SELECT item_id, recorded_from FROM {self.versions.name} "
                f"WHERE recorded_to IS NULL AND item_id IN ({marks})",
                chunk,
            )
            for item_id, recorded_from in cursor.fetchall():
                values = {"item_id": item_id, "recorded_from": _moment(recorded_from)}
                items[item_id].open_version = Row(values, stored=True)
        return items


def _moment(value: Any) -> datetime:
    return datetime.fromisoformat(from_db("ts", value))


def _day(value: Any) -> date:
    return date.fromisoformat(from_db("date", value))
