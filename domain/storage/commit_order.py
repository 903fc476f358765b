"""PostgreSQL event log whose writers commit in parallel while readers see positions in order.

The library's recorder keeps positions in commit order by holding `LOCK TABLE … IN EXCLUSIVE
MODE` from the insert to the commit, so every writer queues behind one lock, commit flush
included. Here a writer holds a session advisory lock only while its transaction takes its id
(xid) and its positions (one INSERT), so positions follow transaction ids; each event stores
its transaction's id, and a reader stops at the first gap an open writer may still fill
(horizon.py), so what it answers is a prefix of the log that can never grow below its end.
docs/decisions/0006-commit-ordered-positions.md.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from functools import partial
from typing import Any

import psycopg
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    Notification,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Connection, Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Composed, Identifier

from domain.storage.horizon import Snapshot, settled

#: Seconds a reader waits for an open writer that may fill a gap before the events it found,
#: so that it answers every event committed before it asked; past that, it answers up to the gap.
HORIZON_WAIT = 1.0
#: Positions read at a time while looking for the last one no open writer can precede.
PAGE = 1000


#: pg_locks lists a transaction's xid in 32 bits; snapshots, in 64.
XID_SPAN = 2**32


def writer_key(schema: str, table: str) -> tuple[int, int]:
    """The lock every writer of one event table holds to its end: two positive 32-bit keys."""
    digest = hashlib.blake2b(f"roadmap-writers:{schema}.{table}".encode(), digest_size=4)
    return WRITERS_CLASS, int.from_bytes(digest.digest(), "big") >> 1


#: The first part of `writer_key`: "RDMP".
WRITERS_CLASS = 0x52444D50


def lock_key(schema: str, table: str) -> int:
    """The advisory lock of one event table: a signed 64-bit number named by the table."""
    digest = hashlib.blake2b(f"roadmap-positions:{schema}.{table}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


class CommitOrderedRecorder(PostgresApplicationRecorder):
    horizon_wait = HORIZON_WAIT

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        names: dict[str, Any] = {
            "schema": Identifier(datastore.schema),
            "table": Identifier(self.events_table_name),
            "type": Identifier(self.stored_event_type_name),
            "channel": Identifier(self.channel_name),
        }
        self._order_names = names
        self.lock_key = lock_key(datastore.schema, self.events_table_name)
        self._set_lock_timeout = SQL("SET LOCAL lock_timeout = '{0}s'").format(
            datastore.lock_timeout
        )
        # ON CONFLICT: a lost race on a stream version must not abort the pipeline before the
        # lock is given back; the missing ids say which rows were refused.
        self._insert_positioned = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT originator_id, originator_version, topic, state "
            "FROM unnest(%s::{schema}.{type}[]) "
            "ON CONFLICT (originator_id, originator_version) DO NOTHING "
            "RETURNING notification_id"
        ).format(**names)
        self._notify = SQL("NOTIFY {channel}").format(**names)
        xid = "COALESCE(transaction_id, '0'::xid8)::text AS xid"
        snap = "(SELECT pg_current_snapshot()::text) AS snap"
        self._select = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state, "
            + xid
            + ", "
            + snap
            + " FROM {schema}.{table}"
        ).format(**names)
        self._before = SQL(
            "SELECT " + xid + " FROM {schema}.{table} WHERE notification_id < %s "
            "ORDER BY notification_id DESC LIMIT 1"
        ).format(**names)
        self._positions = SQL(
            "SELECT notification_id, " + xid + ", " + snap + " FROM {schema}.{table} "
            "WHERE notification_id >= %s ORDER BY notification_id LIMIT %s"
        ).format(**names)
        self._below_oldest = SQL(
            "SELECT notification_id, " + xid + " FROM {schema}.{table} "
            "WHERE transaction_id IS NULL "
            "OR transaction_id < pg_snapshot_xmin(pg_current_snapshot()) "
            "ORDER BY notification_id DESC LIMIT 1"
        ).format(**names)
        self.writer_key = writer_key(datastore.schema, self.events_table_name)
        # pg_locks lists the two-part key of an advisory lock as classid, objid, objsubid 2,
        # and each running transaction's own xid (32 bits) as a lock on its transactionid.
        self._writers = SQL(
            "SELECT held.transactionid::text AS xid FROM pg_locks AS writer "
            "JOIN pg_locks AS held ON held.pid = writer.pid AND held.locktype = 'transactionid' "
            "WHERE writer.locktype = 'advisory' AND writer.classid = %s::oid "
            "AND writer.objid = %s::oid AND writer.objsubid = 2"
        )
        self._running_each = SQL(
            "SELECT x AS xid, pg_xact_status(x::xid8) = 'in progress' AS running "
            "FROM unnest(%s::text[]) AS x"
        )
        self._running = SQL(
            "SELECT bool_or(pg_xact_status(x::xid8) = 'in progress') AS running "
            "FROM unnest(%s::text[]) AS x"
        )

    # --- schema ---------------------------------------------------------------------------

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        super()._create_table(curs)
        curs.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s AND column_name = 'transaction_id'",
            (self.datastore.schema, self.events_table_name),
        )
        if curs.fetchone() is not None:
            return  # checked first: ALTER TABLE would lock out every reader and writer
        # A store of an earlier release: its rows keep NULL (all committed under the table
        # lock, long ago); no rewrite of the table, only new rows take the default.
        for statement in (
            "ALTER TABLE {schema}.{table} ADD COLUMN IF NOT EXISTS transaction_id xid8",
            "ALTER TABLE {schema}.{table} "
            "ALTER COLUMN transaction_id SET DEFAULT pg_current_xact_id()",
        ):
            curs.execute(SQL(statement).format(**self._order_names))

    # --- writing --------------------------------------------------------------------------

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self.datastore.get_connection() as conn:
            try:
                return self._write(conn, stored_events, **kwargs)
            except BaseException:
                _give_back_lock(conn)
                raise

    def _write(
        self, conn: Connection[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> list[int]:
        rows = [
            self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
            for e in stored_events
        ]
        ids: list[int] = []
        with conn.pipeline() as pipeline, conn.transaction():
            if rows:
                # Nothing may write before the INSERT: the transaction must take its id inside
                # the lock, or positions would not follow transaction ids.
                conn.execute(self._set_lock_timeout)
                conn.execute("SELECT pg_advisory_lock(%s)", (self.lock_key,))
                # Held to the end, shared: readers tell this log's writers from other work.
                conn.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", self.writer_key)
                with conn.cursor() as curs:
                    curs.execute(self._insert_positioned, (rows,))
                    conn.execute("SELECT pg_advisory_unlock(%s)", (self.lock_key,))
                    pipeline.sync()
                    ids = [row["notification_id"] for row in curs.fetchall()]
                if len(ids) != len(rows):
                    msg = "an event of this version is already recorded for its stream"
                    raise IntegrityError(msg)
            with conn.cursor() as curs:
                self._insert_events(curs, stored_events, **kwargs)
                if rows:
                    curs.execute(self._notify)
        return ids

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        """Writes that belong to the events' transaction: after the events, before commit."""

    # --- reading --------------------------------------------------------------------------

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        first = 1 if start is None else start + (not inclusive_of_start)
        statement, params = self._page(first, limit, stop, topics)
        with self.datastore.get_connection() as conn:
            rows = conn.execute(statement, params).fetchall()
            count, holding = self._settled(conn, rows, first)
            if holding:
                # Committed events beyond a gap an open writer may still fill: wait for it
                # briefly, then read again, so that what was committed before we asked comes.
                self._wait_for(conn, holding)
                rows = conn.execute(statement, params).fetchall()
                count, _ = self._settled(conn, rows, first)
        return [
            Notification(
                id=row["notification_id"],
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            for row in rows[:count]
        ]

    def _settled(
        self, conn: Connection[DictRow], rows: Sequence[DictRow], first: int
    ) -> tuple[int, list[int]]:
        if not rows:
            return 0, []

        def floor() -> int:
            row = conn.execute(self._before, (first,)).fetchone()
            return 0 if row is None else int(row["xid"])

        positions = [(int(r["notification_id"]), int(r["xid"])) for r in rows]
        snapshot = Snapshot.parse(rows[0]["snap"])
        return settled(positions, first, snapshot, floor, partial(self._holders, conn))

    def _page(
        self, first: int, limit: int, stop: int | None, topics: Sequence[str]
    ) -> tuple[Composed, list[Any]]:
        where: list[Composable] = [SQL("notification_id >= %s")]
        params: list[Any] = [first]
        if stop is not None:
            where.append(SQL("notification_id <= %s"))
            params.append(stop)
        if topics:
            where.append(SQL("topic = ANY(%s)"))
            params.append(list(topics))
        params.append(limit)
        statement = self._select + SQL(" WHERE ") + SQL(" AND ").join(where)
        return statement + SQL(" ORDER BY notification_id LIMIT %s"), params

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def max_notification_id(self) -> int | None:
        """The last position a reader can see with nothing before it still to come."""
        with self.datastore.get_connection() as conn:
            last, holding = self._last_settled(conn)
            if holding:
                self._wait_for(conn, holding)
                last, _ = self._last_settled(conn)
        return last

    def max_recorded_id(self) -> int | None:
        with self.datastore.get_connection() as conn:
            row = conn.execute(self.max_notification_id_statement).fetchone()
        return None if row is None else row["max"]

    def _last_settled(self, conn: Connection[DictRow]) -> tuple[int | None, list[int]]:
        """From the last event below the oldest open transaction (settled by then), walks the
        events after it up to the first gap an open writer may still fill."""
        row = conn.execute(self._below_oldest).fetchone()
        last = None if row is None else int(row["notification_id"])
        floor = 0 if row is None else int(row["xid"])
        while True:
            first = 1 if last is None else last + 1
            rows = conn.execute(self._positions, (first, PAGE)).fetchall()
            if not rows:
                return last, []
            positions = [(int(r["notification_id"]), int(r["xid"])) for r in rows]
            snapshot = Snapshot.parse(rows[0]["snap"])
            holders = partial(self._holders, conn)
            count, holding = settled(positions, first, snapshot, partial(int, floor), holders)
            if count:
                last, floor = positions[count - 1]
            if holding or len(rows) < PAGE:
                return last, holding

    def _holders(self, conn: Connection[DictRow], xids: list[int]) -> list[int]:
        """Of `xids`, open in the reader's snapshot and inside a gap, those that may still fill
        it: writers of this log (they hold its writer lock from before they take an xid to their
        end), and any that ended since the snapshot (their events may be visible now)."""
        # The writers first, then who still runs: one that runs now ran when the writers were
        # listed, so not being among them means it writes no event here.
        writers = {
            int(row["xid"]) for row in conn.execute(self._writers, self.writer_key).fetchall()
        }
        statuses = conn.execute(self._running_each, ([str(x) for x in xids],)).fetchall()
        running = {int(row["xid"]) for row in statuses if row["running"]}
        return [x for x in xids if x not in running or x % XID_SPAN in writers]

    def _wait_for(self, conn: Connection[DictRow], xids: Sequence[int]) -> None:
        """Until the transactions `xids` have ended, or `horizon_wait` runs out."""
        deadline = time.monotonic() + self.horizon_wait
        pause = 0.0005
        ids = [str(x) for x in xids]
        while True:
            row = conn.execute(self._running, (ids,)).fetchone()
            if (row is not None and not row["running"]) or time.monotonic() >= deadline:
                return
            time.sleep(pause)
            pause = min(pause * 2, 0.02)


def _give_back_lock(conn: Connection[DictRow]) -> None:
    """After a failed write the unlock may not have run: a session that could still hold the
    lock must not go back to the pool holding it."""
    if conn.closed or conn.broken:
        return  # the server ended the session, and with it the lock
    try:
        conn.execute("SELECT pg_advisory_unlock_all()")
    except psycopg.Error:
        conn.close()
