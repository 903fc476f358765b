"""PostgreSQL event log whose writers commit in parallel while readers see positions in order.

The library's recorder keeps positions in commit order by holding `LOCK TABLE … IN EXCLUSIVE
MODE` from the insert to the commit, so every writer queues behind one lock, commit flush
included. Here a writer holds a session advisory lock only while its transaction takes its id
(xid) and its positions (one INSERT), so positions follow transaction ids; each event stores
its transaction's id, and a reader answers only events whose transaction is older than the
oldest transaction still open (the snapshot's xmin). Every transaction below that horizon has
ended, and every open or later one holds higher positions, so what a reader answers is a prefix
of the log that can never grow below its end. docs/decisions/0005-commit-ordered-positions.md.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
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
from psycopg.sql import SQL, Composed, Identifier

#: Seconds a reader waits for transactions older than the events it found to end, so that it
#: answers every event committed before it asked; past that, it answers the part below them.
HORIZON_WAIT = 1.0
#: The events whose transaction every reader has passed: written by a release that took the
#: table lock (the column is NULL there) or by a transaction older than the oldest open one.
BELOW_HORIZON = "(transaction_id IS NULL OR transaction_id < (SELECT {horizon}))"
HORIZON = "pg_snapshot_xmin(pg_current_snapshot())"


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
            "horizon": SQL(HORIZON),
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
        self._select_all = SQL(
            "SELECT *, " + BELOW_HORIZON + " AS settled, transaction_id::text AS xid "
            "FROM {schema}.{table}"
        ).format(**names)
        self._last_settled = SQL(
            "SELECT notification_id FROM {schema}.{table} WHERE " + BELOW_HORIZON + " "
            "ORDER BY notification_id DESC LIMIT 1"
        ).format(**names)
        self._last = SQL(
            "SELECT notification_id, " + BELOW_HORIZON + " AS settled, "
            "transaction_id::text AS xid FROM {schema}.{table} "
            "ORDER BY notification_id DESC LIMIT 1"
        ).format(**names)
        self._passed = SQL("SELECT {horizon} > %s::xid8 AS passed").format(**names)

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
        statement, params = self._page(start, limit, stop, topics, inclusive_of_start)
        with self.datastore.get_connection() as conn:
            rows = conn.execute(statement, params).fetchall()
            open_xid = max((int(r["xid"]) for r in rows if not r["settled"]), default=None)
            if open_xid is not None:
                # Committed events above the horizon: older transactions are still open and
                # may hold lower positions. Wait for them briefly, then read again.
                self._wait_past(conn, open_xid)
                rows = conn.execute(statement, params).fetchall()
        return [
            Notification(
                id=row["notification_id"],
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            for row in _settled_prefix(rows)
        ]

    def _page(
        self,
        start: int | None,
        limit: int,
        stop: int | None,
        topics: Sequence[str],
        inclusive_of_start: bool,
    ) -> tuple[Composed, list[Any]]:
        where: list[SQL] = []
        params: list[Any] = []
        if start is not None:
            where.append(
                SQL("notification_id >= %s" if inclusive_of_start else "notification_id > %s")
            )
            params.append(start)
        if stop is not None:
            where.append(SQL("notification_id <= %s"))
            params.append(stop)
        if topics:
            where.append(SQL("topic = ANY(%s)"))
            params.append(list(topics))
        statement = self._select_all
        if where:
            statement += SQL(" WHERE ") + SQL(" AND ").join(where)
        params.append(limit)
        return statement + SQL(" ORDER BY notification_id LIMIT %s"), params

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def max_notification_id(self) -> int | None:
        """The last position every reader can see (None: nothing recorded yet)."""
        with self.datastore.get_connection() as conn:
            row = conn.execute(self._last).fetchone()
            if row is None:
                return None
            if row["settled"]:
                return int(row["notification_id"])
            self._wait_past(conn, int(row["xid"]))
            row = conn.execute(self._last_settled).fetchone()
        return None if row is None else int(row["notification_id"])

    def _wait_past(self, conn: Connection[DictRow], xid: int) -> None:
        """Until every transaction up to `xid` has ended, or `horizon_wait` runs out."""
        deadline = time.monotonic() + self.horizon_wait
        pause = 0.0005
        while True:
            row = conn.execute(self._passed, (str(xid),)).fetchone()
            if (row is not None and row["passed"]) or time.monotonic() >= deadline:
                return
            time.sleep(pause)
            pause = min(pause * 2, 0.02)


def _settled_prefix(rows: Sequence[DictRow]) -> list[DictRow]:
    """The rows below the horizon: they come first, as positions follow transaction ids."""
    settled: list[DictRow] = []
    for row in rows:
        if not row["settled"]:
            break
        settled.append(row)
    return settled


def _give_back_lock(conn: Connection[DictRow]) -> None:
    """After a failed write the unlock may not have run: a session that could still hold the
    lock must not go back to the pool holding it."""
    if conn.closed or conn.broken:
        return  # the server ended the session, and with it the lock
    try:
        conn.execute("SELECT pg_advisory_unlock_all()")
    except psycopg.Error:
        conn.close()
