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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, cast
from uuid import UUID

from domain.model.history import AMENDMENTS, Entry, view
from domain.model.item import Item
from domain.model.kinds import BY_NAME, kind_name_of
from domain.model.plain import plain
from domain.model.public import public_fields
from projections.runtime.cache import ItemCache
from projections.runtime.db import Cursor, Dialect, ReadModelTranscoder, among, insert_many
from projections.runtime.runner import Recorded
from projections.runtime.tables import TYPES, Table, from_db, to_db
from projections.temporal.tables import ENTRIES, HEADS, ITEM_VERSIONS, SEGMENTS

PER_ANSWER = ("version", "updated_at")


class Span:
    """The item's state on the dates [effective_from, effective_to); `row` once it is written.

    A span read back from the item's head keeps its state encoded until something asks for it:
    an event changes the spans on and after its date, mostly the last one, and decoding every
    span of every item read back was a third of a catch-up over 50,000 items.
    """

    __slots__ = ("_decode", "_state", "effective_from", "effective_to", "encoded", "row", "void")

    def __init__(  # noqa: PLR0917 - the span, its row and its encodings
        self,
        effective_from: date,
        effective_to: date | None,
        state: Any,
        void: bool,
        row: dict[str, Any] | None = None,
        encoded: str | None = None,
        decode: Callable[[str], Any] | None = None,
    ) -> None:
        self.effective_from = effective_from
        self.effective_to = effective_to
        self._state = state
        self.void = void
        self.row = row
        #: The state as `rm_item_heads` holds it, kept while the state stays the same object.
        self.encoded = encoded
        #: How to read `encoded` back, until the state is asked for.
        self._decode = decode

    @property
    def state(self) -> Any:
        if self._decode is not None:
            self._state = self._decode(cast(str, self.encoded))
            self._decode = None
        return self._state

    def same(self, other: Span) -> bool:
        return self is other or (
            self.effective_from == other.effective_from
            and self.effective_to == other.effective_to
            and self.void == other.void
            and self.state == other.state
        )


def spans(cls: type[Item], entries: list[Entry]) -> list[Span]:
    """The item's state on every date, by the record as it stands after `entries`.

    The entries in force are applied in record order, each to the spans on and after its
    effective date (`advance`): the same states as folding, for each date, the entries in effect
    on it, without folding them again for every date (that was quadratic in an item's entries,
    and an item with hundreds of them stalled a catch-up at each correction).
    """
    seen = view(entries)
    if not seen.exists:
        return []
    first, *rest = seen.entries
    found = [Span(first.effective_on, None, cls.evolve(None, first), seen.void)]
    for entry in rest:
        found = advance(cls, found, entry)
    return found


def advance(cls: type[Item], current: list[Span], entry: Entry) -> list[Span]:
    """The spans after one more entry: it applies on its effective date and after.

    The spans before its date stay as they were, told apart from one another already: only the
    last of them is compared with what follows (its state is read, theirs are not)."""
    day = entry.effective_on
    found: list[Span] = []
    kept = 0
    for span in current:
        if span.effective_to is not None and span.effective_to <= day:
            found.append(span)
            kept += 1
        elif span.effective_from < day:
            found.append(Span(span.effective_from, day, span.state, span.void, None, span.encoded))
            found.append(Span(day, span.effective_to, cls.evolve(span.state, entry), span.void))
        else:
            evolved = cls.evolve(span.state, entry)
            found.append(Span(span.effective_from, span.effective_to, evolved, span.void))
    start = max(kept - 1, 0)
    return found[:start] + _merged(found[start:])


def _merged(found: list[Span]) -> list[Span]:
    """Adjacent spans with the same state become one."""
    merged: list[Span] = []
    for span in found:
        if merged and merged[-1].state == span.state and merged[-1].void == span.void:
            last = merged.pop()
            merged.append(
                Span(
                    last.effective_from,
                    span.effective_to,
                    last.state,
                    last.void,
                    encoded=last.encoded,
                )
            )
        else:
            merged.append(span)
    return merged


@dataclass
class ItemHistory:
    """What the projection needs of an item to apply its next event: its open spans (their
    states and rows), its open version row, and its entries only while an amendment needs
    them (they are re-read from `rm_entries` then).

    It is written to `rm_item_heads` when it leaves the cache and when the runner has caught
    up (`settle`), not at every batch: writing every touched item's spans and states at every
    batch was a third of a catch-up. A head that is behind (the runner crashed or rolled back
    with the item cached) is known by its open version row, and the item is folded again from
    its entries then."""

    kind: str
    roadmap_id: str
    created_at: datetime
    entries: list[Entry] | None = None
    spans: list[Span] = field(default_factory=list)
    version_row: dict[str, Any] | None = None
    #: Its head in `rm_item_heads` is behind what it holds (written at `settle`).
    dirty: bool = False


Written = list[tuple[Table, dict[str, Any]]]


class TemporalProjection:
    name = "temporal"
    #: What its rows mean; a new version rebuilds it from the log (2: bilingual texts; 3: the
    #: open spans of every item kept in `rm_item_heads`).
    version = 3
    base_tables: tuple[Table, ...] = (ENTRIES, SEGMENTS, ITEM_VERSIONS, HEADS)

    def __init__(self, suffix: str = "") -> None:
        self.entries = ENTRIES.with_name(ENTRIES.name + suffix)
        self.segments = SEGMENTS.with_name(SEGMENTS.name + suffix)
        self.versions = ITEM_VERSIONS.with_name(ITEM_VERSIONS.name + suffix)
        self.heads = HEADS.with_name(HEADS.name + suffix)
        self.tables: tuple[Table, ...] = (self.entries, self.segments, self.versions, self.heads)
        self.transcoder = ReadModelTranscoder()
        self.cache: ItemCache[ItemHistory] = ItemCache(5_000)

    def forget(self) -> None:
        self.cache.clear()

    def apply(self, cursor: Cursor, dialect: Dialect, events: Sequence[Recorded]) -> None:
        items = self._load(cursor, dialect, events)
        new_entries: list[tuple[Any, ...]] = []
        written: Written = []
        closed: Written = []
        for _, event, _ in events:
            entry = Entry.of(event)
            item_id = str(event.originator_id)
            if entry.version == 1:
                roadmap = str(entry.payload.get("roadmap_id", item_id))
                items[item_id] = ItemHistory(
                    kind_name_of(event), roadmap, entry.recorded_at, entries=[]
                )
            item = items[item_id]
            if item.entries is not None:
                item.entries.append(entry)
            new_entries.append((item_id, entry.version, self.transcoder.encode(vars(entry))))
            cls = BY_NAME[item.kind].aggregate
            if entry.version == 1 or entry.event_type in AMENDMENTS:
                fresh = spans(cls, _loaded(item.entries))
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
            rows = [_db_row(table, r, dialect) for t, r in written if t is table]
            insert_many(cursor, dialect, table, rows)
        for _, row in written:
            row["stored"] = True
        evicted: list[tuple[str, ItemHistory]] = []
        for item_id, item in items.items():
            item.entries = None  # read again if an amendment needs them: the cache stays small
            item.dirty = True
            evicted.extend(self.cache.put(item_id, item))
        self._write_heads(cursor, dialect, evicted)

    def settle(self, cursor: Cursor, dialect: Dialect) -> None:
        """Writes the heads of the cached items that are behind (the runner caught up with the
        log): a restart then continues them from their heads instead of folding them again."""
        self._write_heads(
            cursor, dialect, [(i, item) for i, item in self.cache.items() if item.dirty]
        )

    def _write_heads(
        self, cursor: Cursor, dialect: Dialect, items: list[tuple[str, ItemHistory]]
    ) -> None:
        heads = [self._head_row(item_id, item, dialect) for item_id, item in items]
        insert_many(cursor, dialect, self.heads, heads, upsert=True)
        for _, item in items:
            # Should this transaction not commit, the head is found behind when next read.
            item.dirty = False

    def _state_of(self, state_class: type, text: str) -> Any:
        return state_class(**self.transcoder.decode(text.encode("utf-8", "surrogatepass")))

    def _encoded(self, span: Span) -> str:
        if span.encoded is None:
            span.encoded = self.transcoder.encode(vars(span.state)).decode("utf-8", "surrogatepass")
        return span.encoded

    def _head_row(self, item_id: str, item: ItemHistory, dialect: Dialect) -> tuple[Any, ...]:
        """The item's open spans and version row, as the next batch continues them."""
        head = {
            "spans": [
                {
                    "effective_from": span.effective_from,
                    "effective_to": span.effective_to,
                    "void": span.void,
                    "state": self._encoded(span),
                    "recorded_from": (span.row or {})["recorded_from"],
                }
                for span in item.spans
            ],
            "version_from": (item.version_row or {})["recorded_from"],
        }
        return (
            item_id,
            item.kind,
            _db_value("text", item.roadmap_id, dialect),
            _db_value("ts", item.created_at, dialect),
            self.transcoder.encode(head),
        )

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
                recorded_at=item.created_at,
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
                "created_at": item.created_at,
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

    def _load(
        self, cursor: Cursor, dialect: Dialect, events: Sequence[Recorded]
    ) -> dict[str, ItemHistory]:
        """The items this batch continues: from the cache, else from their heads (or their
        entries, where the head is behind); with their entries where an amendment of this batch
        re-folds them."""
        created = {str(e.originator_id) for _, e, _ in events if e.originator_version == 1}
        amended = {
            str(e.originator_id) for _, e, _ in events if type(e).__name__ in AMENDMENTS
        } - created
        items: dict[str, ItemHistory] = {}
        missing = []
        for item_id in sorted({str(e.originator_id) for _, e, _ in events} - created):
            cached = self.cache.get(item_id)
            if cached is None:
                missing.append(item_id)
            else:
                items[item_id] = cached
        kinds = {str(e.originator_id): kind_name_of(e) for _, e, _ in events}
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            opened = self._open_versions(cursor, dialect, chunk)
            current = {
                item_id: item
                for item_id, item in self._fetch(cursor, dialect, chunk).items()
                if (item.version_row or {}).get("recorded_from") == opened.get(item_id)
            }
            items.update(current)
            stale = [item_id for item_id in chunk if item_id not in current]
            items.update(self._recover(cursor, dialect, stale, kinds, opened))
        wanted = sorted(i for i in amended if items[i].entries is None)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for item_id, entries in self._fetch_entries(cursor, dialect, chunk).items():
                items[item_id].entries = entries
        return items

    def _open_versions(
        self, cursor: Cursor, dialect: Dialect, chunk: list[str]
    ) -> dict[str, datetime]:
        """When each item's open version row began: its head is current if it says the same."""
        where, params = among(dialect, "item_id", chunk)
        cursor.execute(
            f"SELECT item_id, recorded_from FROM {self.versions.name} "
            f"WHERE {where} AND recorded_to IS NULL",
            params,
        )
        return {item_id: _moment(moment) for item_id, moment in cursor.fetchall()}

    def _recover(
        self,
        cursor: Cursor,
        dialect: Dialect,
        chunk: list[str],
        kinds: dict[str, str],
        opened: dict[str, datetime],
    ) -> dict[str, ItemHistory]:
        """Items whose head is missing or behind (heads are written when items leave the cache
        or the runner catches up, not at every batch): their spans folded again from their
        entries, and the keys of the open rows that show them read back."""
        if not chunk:
            return {}
        where, params = among(dialect, "item_id", chunk)
        cursor.execute(
            "SELECT item_id, effective_from, recorded_from "
            f"FROM {self.segments.name} WHERE {where} AND recorded_to IS NULL",
            params,
        )
        shown: dict[tuple[str, date], datetime] = {
            (item_id, date.fromisoformat(from_db("date", day))): _moment(moment)
            for item_id, day, moment in cursor.fetchall()
        }
        items: dict[str, ItemHistory] = {}
        for item_id, entries in self._fetch_entries(cursor, dialect, chunk).items():
            first = entries[0]
            item = ItemHistory(
                kinds[item_id],
                str(first.payload.get("roadmap_id", item_id)),
                first.recorded_at,
                entries=entries,
                spans=spans(BY_NAME[kinds[item_id]].aggregate, entries),
                version_row={"item_id": item_id, "recorded_from": opened[item_id], "stored": True},
            )
            for span in item.spans:
                span.row = {
                    "item_id": item_id,
                    "recorded_from": shown[(item_id, span.effective_from)],
                    "effective_from": span.effective_from,
                    "effective_to": span.effective_to,
                    "stored": True,
                }
            items[item_id] = item
        return items

    def _fetch_entries(
        self, cursor: Cursor, dialect: Dialect, chunk: list[str]
    ) -> dict[str, list[Entry]]:
        where, params = among(dialect, "item_id", chunk)
        entries: dict[str, list[Entry]] = {item_id: [] for item_id in chunk}
        cursor.execute(
            f"SELECT item_id, entry FROM {self.entries.name} "
            f"WHERE {where} ORDER BY item_id, version",
            params,
        )
        for item_id, blob in cursor.fetchall():
            decoded = self.transcoder.decode(from_db("blob", blob))
            entries[item_id].append(Entry(**decoded))
        return entries

    def _fetch(self, cursor: Cursor, dialect: Dialect, chunk: list[str]) -> dict[str, ItemHistory]:
        """Items from their heads: no entry is read and nothing is folded again."""
        where, params = among(dialect, "item_id", chunk)
        cursor.execute(
            "SELECT item_id, kind, roadmap_id, created_at, head "
            f"FROM {self.heads.name} WHERE {where}",
            params,
        )
        items: dict[str, ItemHistory] = {}
        for item_id, kind, roadmap, created_at, blob in cursor.fetchall():
            head = self.transcoder.decode(from_db("blob", blob))
            state_class = BY_NAME[kind].state
            item = ItemHistory(kind, from_db("text", roadmap), _moment(created_at))
            for found in head["spans"]:
                row = {
                    "item_id": item_id,
                    "recorded_from": found["recorded_from"],
                    "effective_from": found["effective_from"],
                    "effective_to": found["effective_to"],
                    "stored": True,
                }
                item.spans.append(
                    Span(
                        found["effective_from"],
                        found["effective_to"],
                        None,
                        found["void"],
                        row,
                        found["state"],
                        partial(self._state_of, state_class),
                    )
                )
            item.version_row = {
                "item_id": item_id,
                "recorded_from": head["version_from"],
                "stored": True,
            }
            items[item_id] = item
        return items

    @staticmethod
    def _close(cursor: Cursor, dialect: Dialect, table: Table, rows: list[dict[str, Any]]) -> None:
        """Ends the system-time period of rows stored by earlier batches: on PostgreSQL in one
        set-based UPDATE a batch, on SQLite (in-process, no round trips) a statement a row."""
        if not rows:
            return
        key = [name for name in table.key if name != "item_id"]
        kinds = dict(table.columns)
        params = [
            [
                _db_value("ts", row["recorded_to"], dialect),
                row["item_id"],
                *(_db_value(kinds[name], row[name], dialect) for name in key),
            ]
            for row in rows
        ]
        if dialect == "postgres":
            names = ["recorded_to", "item_id", *key]
            types = [TYPES[kinds[name]][dialect] for name in names]
            pairs = zip(names, types, strict=True)
            columns = ", ".join(f"unnest(?::{kind}[]) AS {name}" for name, kind in pairs)
            where = " AND ".join(f"t.{name} = v.{name}" for name in ["item_id", *key])
            cursor.execute(
                f"UPDATE {table.name} AS t SET recorded_to = v.recorded_to "
                f"FROM (SELECT {columns}) AS v WHERE {where}",
                [list(column) for column in zip(*params, strict=True)],
            )
            return
        where = " AND ".join(f"{name} = ?" for name in key)
        cursor.executemany(
            f"UPDATE {table.name} SET recorded_to = ? WHERE item_id = ? AND {where}", params
        )


def _db_value(kind: str, value: Any, dialect: Dialect) -> Any:
    """`to_db(kind, plain(value), dialect)` without the round trip through ISO text for the
    dates and moments the projection holds as such."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if dialect == "postgres":
            return value
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value if dialect == "postgres" else value.isoformat()
    if kind == "json" or type(value) is str or type(value) is int:
        return to_db(kind, value, dialect)
    return to_db(kind, plain(value), dialect)


def _db_row(table: Table, row: dict[str, Any], dialect: Dialect) -> tuple[Any, ...]:
    """`table.row(plain(row), dialect)`, faster."""
    return tuple(_db_value(kind, row.get(name), dialect) for name, kind in table.columns)


def _loaded(entries: list[Entry] | None) -> list[Entry]:
    if entries is None:
        raise AssertionError("an amendment's item is read with its entries (_load)")
    return entries


def _moment(value: Any) -> datetime:
    return datetime.fromisoformat(from_db("ts", value))
