"""Bitemporal history of every item, so time travel is an indexed query, not a replay.

A segment row says: from `recorded_from` until `recorded_to` (system time), the record held that
the item's state was `public` on every date from `effective_from` until `effective_to` (valid
time). A new event changes only the segments on or after its effective date (an event effective
on the latest date changes one), so it closes those rows and opens their successors; a
correction or retraction recomputes the item's segments from its entries. The version and last
update time, which change with every event, live in their own rows so that they do not
multiply the segments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.model.history import AMENDMENTS, Entry, view
from domain.model.item import Item
from domain.model.kinds import BY_NAME, kind_name_of
from domain.model.plain import plain
from domain.model.public import public_fields
from projections.runtime.cache import ItemCache
from projections.runtime.db import Cursor, Dialect, ReadModelTranscoder, insert_many
from projections.runtime.runner import Recorded
from projections.runtime.tables import Table, from_db, to_db
from projections.temporal.tables import ENTRIES, ITEM_VERSIONS, SEGMENTS

PER_ANSWER = ("version", "updated_at")


@dataclass
class Span:
    """The item's state on the dates [effective_from, effective_to); `row` once it is written."""

    effective_from: date
    effective_to: date | None
    state: Any
    void: bool
    row: dict[str, Any] | None = None

    def same(self, other: Span) -> bool:
        return (
            self.effective_from == other.effective_from
            and self.effective_to == other.effective_to
            and self.void == other.void
            and self.state == other.state
        )


def spans(cls: type[Item], entries: list[Entry]) -> list[Span]:
    """The item's state on every date, by the record as it stands after `entries`."""
    seen = view(entries)
    if not seen.exists:
        return []
    in_force = seen.entries
    created_on = in_force[0].effective_on
    dates = sorted({created_on} | {e.effective_on for e in in_force if e.effective_on > created_on})
    found: list[Span] = []
    for n, day in enumerate(dates):
        state = cls.fold([e for e in in_force if e.effective_on <= day])
        following = dates[n + 1] if n + 1 < len(dates) else None
        found.append(Span(day, following, state, seen.void))
    return _merged(found)


def advance(cls: type[Item], current: list[Span], entry: Entry) -> list[Span]:
    """The spans after one more entry: it applies on its effective date and after."""
    day = entry.effective_on
    found: list[Span] = []
    for span in current:
        if span.effective_to is not None and span.effective_to <= day:
            found.append(span)
        elif span.effective_from < day:
            found.append(Span(span.effective_from, day, span.state, span.void))
            found.append(Span(day, span.effective_to, cls.evolve(span.state, entry), span.void))
        else:
            evolved = cls.evolve(span.state, entry)
            found.append(Span(span.effective_from, span.effective_to, evolved, span.void))
    return _merged(found)


def _merged(found: list[Span]) -> list[Span]:
    """Adjacent spans with the same state become one."""
    merged: list[Span] = []
    for span in found:
        if merged and merged[-1].state == span.state and merged[-1].void == span.void:
            last = merged.pop()
            merged.append(Span(last.effective_from, span.effective_to, last.state, last.void))
        else:
            merged.append(span)
    return merged


@dataclass
class ItemHistory:
    kind: str
    roadmap_id: str
    entries: list[Entry] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    version_row: dict[str, Any] | None = None


Written = list[tuple[Table, dict[str, Any]]]


class TemporalProjection:
    name = "temporal"
    #: What its rows mean; a new version rebuilds it from the log (2: bilingual texts).
    version = 2
    base_tables: tuple[Table, ...] = (ENTRIES, SEGMENTS, ITEM_VERSIONS)

    def __init__(self, suffix: str = "") -> None:
        self.entries = ENTRIES.with_name(ENTRIES.name + suffix)
        self.segments = SEGMENTS.with_name(SEGMENTS.name + suffix)
        self.versions = ITEM_VERSIONS.with_name(ITEM_VERSIONS.name + suffix)
        self.tables: tuple[Table, ...] = (self.entries, self.segments, self.versions)
        self.transcoder = ReadModelTranscoder()
        # An item's history holds all its entries: keep fewer of them than plain states.
        self.cache: ItemCache[ItemHistory] = ItemCache(2_000)

    def forget(self) -> None:
        self.cache.clear()

    def apply(self, cursor: Cursor, dialect: Dialect, events: Sequence[Recorded]) -> None:
        items = self._load(cursor, events)
        new_entries: list[tuple[Any, ...]] = []
        written: Written = []
        closed: Written = []
        for _, event, _ in events:
            entry = Entry.of(event)
            item_id = str(event.originator_id)
            if entry.version == 1:
                roadmap = str(entry.payload.get("roadmap_id", item_id))
                items[item_id] = ItemHistory(kind_name_of(event), roadmap)
            item = items[item_id]
            item.entries.append(entry)
            new_entries.append((item_id, entry.version, self.transcoder.encode(vars(entry))))
            cls = BY_NAME[item.kind].aggregate
            if entry.version == 1 or entry.event_type in AMENDMENTS:
                fresh = spans(cls, item.entries)
            else:
                fresh = advance(cls, item.spans, entry)
            moment = entry.recorded_at
            self._replace(
                item=item,
                item_id=item_id,
                fresh=fresh,
                moment=moment,
                written=written,
                closed=closed,
            )
            if item.version_row is not None:
                item.version_row["recorded_to"] = moment
                if item.version_row.get("stored"):
                    closed.append((self.versions, item.version_row))
            item.version_row = {
                "item_id": item_id,
                "recorded_from": moment,
                "version": entry.version,
                "updated_at": moment,
            }
            written.append((self.versions, item.version_row))
        insert_many(cursor, dialect, self.entries, new_entries)
        for table in (self.segments, self.versions):
            self._close(cursor, dialect, table, [r for t, r in closed if t is table])
            rows = [table.row(plain(r), dialect) for t, r in written if t is table]
            insert_many(cursor, dialect, table, rows)
        for _, row in written:
            row["stored"] = True
        for item_id, item in items.items():
            self.cache.put(item_id, item)

    def _replace(
        self,
        *,
        item: ItemHistory,
        item_id: str,
        fresh: list[Span],
        moment: datetime,
        written: Written,
        closed: Written,
    ) -> None:
        """Keeps the rows of unchanged spans, closes the others and opens the new ones."""
        created_on = fresh[0].effective_from if fresh else None
        # Every row shows the date the item took effect: when a correction moves it, no row
        # can be kept, however equal its span's state.
        moved = bool(item.spans) and item.spans[0].effective_from != created_on
        reusable = [] if moved else [s for s in item.spans if s.row is not None]
        for span in fresh:
            match = next((old for old in reusable if old.same(span)), None)
            if match is not None:
                reusable.remove(match)
                span.row = match.row
                continue
            public = public_fields(
                UUID(item_id),
                span.state,
                version=0,
                void=span.void,
                recorded_at=item.entries[0].recorded_at,
                updated_at=moment,
                effective_on=created_on or span.effective_from,
            )
            for name in PER_ANSWER:
                public.pop(name)
            span.row = {
                "item_id": item_id,
                "recorded_from": moment,
                "effective_from": span.effective_from,
                "effective_to": span.effective_to,
                "kind": item.kind,
                "roadmap_id": item.roadmap_id,
                "created_at": item.entries[0].recorded_at,
                "void": span.void,
                "public": public,
            }
            written.append((self.segments, span.row))
        for old in [s for s in item.spans if s.row is not None] if moved else reusable:
            if old.row is not None:
                old.row["recorded_to"] = moment
                if old.row.get("stored"):
                    closed.append((self.segments, old.row))
        item.spans = fresh

    def _load(self, cursor: Cursor, events: Sequence[Recorded]) -> dict[str, ItemHistory]:
        """The items this batch continues: from the cache, else from their stored rows."""
        created = {str(e.originator_id) for _, e, _ in events if e.originator_version == 1}
        items: dict[str, ItemHistory] = {}
        missing = []
        for item_id in sorted({str(e.originator_id) for _, e, _ in events} - created):
            cached = self.cache.get(item_id)
            if cached is None:
                missing.append(item_id)
            else:
                items[item_id] = cached
        for start in range(0, len(missing), 500):
            items.update(self._fetch(cursor, missing[start : start + 500]))
        return items

    def _fetch(self, cursor: Cursor, chunk: list[str]) -> dict[str, ItemHistory]:
        marks = ", ".join("?" * len(chunk))
        entries: dict[str, list[Entry]] = {}
        cursor.execute(
            f"SELECT item_id, entry FROM {self.entries.name} "
            f"WHERE item_id IN ({marks}) ORDER BY item_id, version",
            chunk,
        )
        for item_id, blob in cursor.fetchall():
            decoded = self.transcoder.decode(from_db("blob", blob))
            entries.setdefault(item_id, []).append(Entry(**decoded))
        items: dict[str, ItemHistory] = {}
        stored: dict[str, dict[tuple[date, date | None], dict[str, Any]]] = {}
        cursor.execute(
            "SELECT item_id, recorded_from, effective_from, effective_to, kind, roadmap_id "
            f"FROM {self.segments.name} WHERE recorded_to IS NULL AND item_id IN ({marks})",
            chunk,
        )
        for item_id, recorded_from, eff_from, eff_to, kind, roadmap in cursor.fetchall():
            item = ItemHistory(kind, from_db("text", roadmap), entries.get(item_id, []))
            items.setdefault(item_id, item)
            row = {
                "item_id": item_id,
                "recorded_from": _moment(recorded_from),
                "effective_from": _day(eff_from),
                "effective_to": None if eff_to is None else _day(eff_to),
                "stored": True,
            }
            stored.setdefault(item_id, {})[(row["effective_from"], row["effective_to"])] = row
        cursor.execute(
            f"SELECT item_id, recorded_from FROM {self.versions.name} "
            f"WHERE recorded_to IS NULL AND item_id IN ({marks})",
            chunk,
        )
        for item_id, recorded_from in cursor.fetchall():
            if item_id in items:
                items[item_id].version_row = {
                    "item_id": item_id,
                    "recorded_from": _moment(recorded_from),
                    "stored": True,
                }
        for item_id, item in items.items():
            item.spans = spans(BY_NAME[item.kind].aggregate, item.entries)
            rows = stored[item_id]
            for span in item.spans:
                span.row = rows.pop((span.effective_from, span.effective_to), None)
            # Rows that match no span cannot happen unless edited by hand; close them too.
            item.spans.extend(
                Span(r["effective_from"], r["effective_to"], None, False, r) for r in rows.values()
            )
        return items

    @staticmethod
    def _close(cursor: Cursor, dialect: Dialect, table: Table, rows: list[dict[str, Any]]) -> None:
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
                    to_db("ts", plain(row["recorded_to"]), dialect),
                    row["item_id"],
                    *(to_db(kinds[name], plain(row[name]), dialect) for name in key),
                ]
                for row in rows
            ],
        )


def _moment(value: Any) -> datetime:
    return datetime.fromisoformat(from_db("ts", value))


def _day(value: Any) -> date:
    return date.fromisoformat(from_db("date", value))
