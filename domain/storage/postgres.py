"""PostgreSQL: the library's recorder plus idempotency keys and an immutable event table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from domain.storage.recorder import CREATED_STATUS, IdempotencyRecord, status_of

IMMUTABLE_FUNCTION = "roadmap_refuse_change"


class LedgerPostgresRecorder(PostgresApplicationRecorder):
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


class Factory(PostgresFactory):
    application_recorder_class = LedgerPostgresRecorder

    def application_recorder(self) -> ApplicationRecorder:
        if self.env_create_table():
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(
                    SQL("CREATE SCHEMA IF NOT EXISTS {0}").format(Identifier(self.datastore.schema))
                )
        return super().application_recorder()
