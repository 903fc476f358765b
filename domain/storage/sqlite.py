"""The embedded store: one SQLite file, WAL journal, `synchronous=FULL` on every connection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, PersistenceError, StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteFactory,
)
from eventsourcing.utils import Environment, EnvType

from domain.storage.availability import Availability, availability_of
from domain.storage.recorder import CREATED_STATUS, IdempotencyRecord, status_of


class LedgerSQLitePool(SQLiteConnectionPool):
    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        # An acknowledged event must survive a power cut, not only a process crash.
        connection.cursor().execute("PRAGMA synchronous=FULL")
        return connection


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    availability: Availability

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        """The library's insert; a full disk is named as such (StoreFullError)."""
        try:
            ids = super().insert_events(stored_events, **kwargs)
        except PersistenceError as error:
            instead = self.availability.failed(error)
            if instead is not None and instead is not error:
                raise instead from error
            raise
        self.availability.report_written()
        return ids

    def write_probe(self) -> None:
        """One small write and commit: raises while the disk is full."""
        try:
            with self.datastore.transaction(commit=True) as c:
                c.execute(
                    "CREATE TABLE IF NOT EXISTS roadmap_write_probe "
                    "(id INTEGER PRIMARY KEY, at TEXT NOT NULL)"
                )
                c.execute(
                    "INSERT OR REPLACE INTO roadmap_write_probe VALUES (1, ?)",
                    (datetime.now(UTC).isoformat(),),
                )
        except PersistenceError as error:
            instead = self.availability.failed(error)
            if instead is not None:
                raise instead from error
            raise
        self.availability.report_written()

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS idempotency_keys ("
            "subject TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, "
            "item_id TEXT NOT NULL, version INTEGER NOT NULL, status INTEGER NOT NULL, "
            "created_at TEXT NOT NULL, PRIMARY KEY (subject, key))",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events)
        record: IdempotencyRecord | None = kwargs.get("idempotency")
        if record is not None:
            c.execute(
                "INSERT INTO idempotency_keys VALUES (?,?,?,?,?,?,?)",
                (
                    record.subject,
                    record.key,
                    record.request_hash,
                    record.item_id.hex,
                    record.version,
                    status_of(record),
                    record.created_at.isoformat(),
                ),
            )
        return ids

    def find_idempotency(self, subject: str, key: str) -> IdempotencyRecord | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT * FROM idempotency_keys WHERE subject=? AND key=?", (subject, key))
            row = c.fetchone()
        if row is None:
            return None
        return IdempotencyRecord(
            subject=row["subject"],
            key=row["key"],
            request_hash=row["request_hash"],
            item_id=UUID(row["item_id"]),
            version=row["version"],
            created=row["status"] == CREATED_STATUS,
            created_at=datetime.fromisoformat(row["created_at"]),
        )

    def purge_idempotency(self, before: datetime) -> int:
        with self.datastore.transaction(commit=True) as c:
            c.execute("DELETE FROM idempotency_keys WHERE created_at < ?", (before.isoformat(),))
            c.execute("SELECT changes()")
            count: int = c.fetchone()[0]
        return count

    def max_recorded_id(self) -> int | None:
        return self.max_notification_id()  # one writer at a time: readers see every commit

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid FROM {self.events_table_name} "
                "WHERE originator_id=? AND originator_version=?",
                (originator_id.hex, version),
            )
            row = c.fetchone()
        return None if row is None else int(row[0])


class Factory(SQLiteFactory):
    application_recorder_class = LedgerSQLiteRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        old = self.datastore.pool
        self.datastore.pool = LedgerSQLitePool(db_name=old.db_name, lock_timeout=old.lock_timeout)
        old.close()

    def application_recorder(self) -> ApplicationRecorder:
        recorder = super().application_recorder()
        if isinstance(recorder, LedgerSQLiteRecorder):
            recorder.availability = availability_of(f"sqlite:{self.env.get('SQLITE_DBNAME')}")
        return recorder
