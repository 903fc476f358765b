"""PostgreSQL: commit-ordered positions without a table lock, idempotency keys, an immutable
event table."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    ApplicationRecorder,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresDatastore, PostgresFactory
from eventsourcing.utils import Environment, EnvType
from psycopg import Connection, Cursor
from psycopg.conninfo import make_conninfo
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from domain.storage.availability import Availability, availability_of
from domain.storage.commit_order import CommitOrderedRecorder
from domain.storage.recorder import CREATED_STATUS, IdempotencyRecord, status_of

IMMUTABLE_FUNCTION = "roadmap_refuse_change"


class LedgerPostgresRecorder(CommitOrderedRecorder):
    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        names = {
            "schema": Identifier(datastore.schema),
            "table": Identifier(self.events_table_name),
            "keys": Identifier("idempotency_keys"),
            "function": Identifier(IMMUTABLE_FUNCTION),
        }
        self.sql_create_statements.extend(
            SQL(statement).format(**names)
            for statement in (
                "CREATE TABLE IF NOT EXISTS {schema}.{keys} ("
                "subject text NOT NULL, key text NOT NULL, request_hash text NOT NULL, "
                "item_id uuid NOT NULL, version bigint NOT NULL, status int NOT NULL, "
                "created_at timestamptz NOT NULL, PRIMARY KEY (subject, key))",
                "CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
                "'the event log is append-only: % on % refused', TG_OP, TG_TABLE_NAME "
                "USING ERRCODE = 'insufficient_privilege'; END $$",
                "CREATE OR REPLACE TRIGGER roadmap_events_no_update_delete "
                "BEFORE UPDATE OR DELETE ON {schema}.{table} "
                "FOR EACH ROW EXECUTE FUNCTION {schema}.{function}()",
                "CREATE OR REPLACE TRIGGER roadmap_events_no_truncate "
                "BEFORE TRUNCATE ON {schema}.{table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{function}()",
            )
        )
        self._names = names

    @property
    def availability(self) -> Availability:
        return cast(GatedPostgresDatastore, self.datastore).availability

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        ids = super().insert_events(stored_events, **kwargs)
        self.availability.report_written()
        return ids

    def write_probe(self) -> None:
        """One small write and commit: raises while the disk is full."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL(
                    "CREATE TABLE IF NOT EXISTS {schema}.roadmap_write_probe "
                    "(id int PRIMARY KEY, at timestamptz NOT NULL)"
                ).format(**self._names)
            )
            curs.execute(
                SQL(
                    "INSERT INTO {schema}.roadmap_write_probe VALUES (1, now()) "
                    "ON CONFLICT (id) DO UPDATE SET at = excluded.at"
                ).format(**self._names)
            )
        self.availability.report_written()

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        record: IdempotencyRecord | None = kwargs.get("idempotency")
        if record is not None:
            curs.execute(
                SQL("INSERT INTO {schema}.{keys} VALUES (%s,%s,%s,%s,%s,%s,%s)").format(
                    **self._names
                ),
                (
                    record.subject,
                    record.key,
                    record.request_hash,
                    record.item_id,
                    record.version,
                    status_of(record),
                    record.created_at,
                ),
            )

    def find_idempotency(self, subject: str, key: str) -> IdempotencyRecord | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT * FROM {schema}.{keys} WHERE subject=%s AND key=%s").format(
                    **self._names
                ),
                (subject, key),
            )
            row = curs.fetchone()
        if row is None:
            return None
        status = row.pop("status")
        return IdempotencyRecord(**row, created=status == CREATED_STATUS)

    def purge_idempotency(self, before: datetime) -> int:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL("DELETE FROM {schema}.{keys} WHERE created_at < %s").format(**self._names),
                (before,),
            )
            return curs.rowcount

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT notification_id FROM {schema}.{table} "
                    "WHERE originator_id=%s AND originator_version=%s"
                ).format(**self._names),
                (originator_id, version),
            )
            row = curs.fetchone()
        return None if row is None else int(row["notification_id"])


#: Seconds a caller waits for a pooled connection before asking whether the database is there
#: at all: if it answers, the wait was load and the library's retries go on; if not, the caller
#: gets StoreUnavailableError at once (availability.py).
POOL_WAIT = 1.0
#: Seconds the pool keeps retrying a connection it lost before giving up; the next caller then
#: starts a fresh attempt at once, so the store recovers as soon as the database is back.
RECONNECT_FOR = 2.0


class GatedPostgresDatastore(PostgresDatastore):
    """The library's datastore, failing fast while the database is down."""

    availability: Availability

    @contextmanager
    def get_connection(self) -> Iterator[Connection[DictRow]]:
        self.availability.check()
        try:
            with super().get_connection() as connection:
                yield connection
        except (OperationalError, InterfaceError) as error:
            instead = self.availability.failed(error)
            if instead is not None:
                raise instead from error
            raise


def probe_for(env: dict[str, str]) -> Callable[[], None]:
    """One direct connection to the database, without the pool: raises if it cannot."""
    conninfo = make_conninfo(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env.get("POSTGRES_PASSWORD") or None,
        connect_timeout=2,
    )

    def probe() -> None:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute("SELECT 1")

    return probe


def availability_for(env: dict[str, str]) -> Availability:
    key = (
        f"postgresql://{env['POSTGRES_USER']}@{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}"
        f"/{env['POSTGRES_DBNAME']}"
    )
    return availability_of(key, probe_for(env))


class Factory(PostgresFactory):
    application_recorder_class = LedgerPostgresRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        datastore = self.datastore
        datastore.__class__ = GatedPostgresDatastore
        plain = {
            key: self.env.get(key) or ""
            for key in (
                "POSTGRES_DBNAME",
                "POSTGRES_HOST",
                "POSTGRES_PORT",
                "POSTGRES_USER",
                "POSTGRES_PASSWORD",
            )
        }
        availability = availability_for(plain)
        cast(GatedPostgresDatastore, datastore).availability = availability
        availability.watch(datastore.pool)
        datastore.pool.timeout = POOL_WAIT
        datastore.pool.reconnect_timeout = RECONNECT_FOR

    def application_recorder(self) -> ApplicationRecorder:
        if self.env_create_table():
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(
                    SQL("CREATE SCHEMA IF NOT EXISTS {0}").format(Identifier(self.datastore.schema))
                )
        return super().application_recorder()
