"""Raw access to the event table, as someone with write access to the database has it: the tests
tamper with the log (alter, delete, insert, swap events) to see verification catch it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg

from domain.storage import persistence_env
from tests.support.stores import on_postgres


@dataclass(frozen=True)
class RawEvent:
    position: int
    originator_id: str
    version: int
    topic: str
    state: bytes


class RawLog:
    """The event table as someone with write access to the database sees it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.env = persistence_env(url)
        self.postgres = on_postgres(url)
        if self.postgres:
            self.schema = self.env["POSTGRES_SCHEMA"]
            self.table = f"{self.schema}.{self._pg_table()}"
        else:
            self.table = "stored_events"

    def _pg_table(self) -> str:
        with self._pg() as connection:
            row = connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = %s AND table_name LIKE %s",
                [self.schema, "%events"],
            ).fetchone()
        assert row is not None
        return str(row[0])

    @contextmanager
    def _pg(self) -> Iterator[psycopg.Connection[Any]]:
        """A superuser session that bypasses the triggers refusing UPDATE and DELETE."""
        env = self.env
        with psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
        ) as connection:
            connection.execute("SET session_replication_role = replica")
            yield connection

    def execute(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Any]:
        """One statement in its own committed transaction; `?` placeholders on both."""
        if self.postgres:
            with self._pg() as connection:
                cursor = connection.execute(sql.replace("?", "%s"), params)
                rows = cursor.fetchall() if cursor.description else []
                connection.commit()
                return rows
        database = sqlite3.connect(self.env["SQLITE_DBNAME"], timeout=30)
        try:
            rows = database.execute(sql, params).fetchall()
            database.commit()
            return rows
        finally:
            database.close()

    @property
    def position_column(self) -> str:
        return "notification_id" if self.postgres else "rowid"

    def events(self) -> list[RawEvent]:
        rows = self.execute(
            f"SELECT {self.position_column}, originator_id, originator_version, topic, state "
            f"FROM {self.table} ORDER BY {self.position_column}"
        )
        return [RawEvent(int(r[0]), str(r[1]), int(r[2]), str(r[3]), bytes(r[4])) for r in rows]

    def set_state(self, position: int, state: bytes) -> None:
        self.execute(
            f"UPDATE {self.table} SET state = ? WHERE {self.position_column} = ?",
            [state, position],
        )

    def delete(self, position: int) -> None:
        self.execute(f"DELETE FROM {self.table} WHERE {self.position_column} = ?", [position])

    def move(self, position: int, to: int) -> None:
        self.execute(
            f"UPDATE {self.table} SET {self.position_column} = ? WHERE {self.position_column} = ?",
            [to, position],
        )

    def swap_positions(self, first: int, second: int) -> None:
        parked = 10**9
        self.move(first, parked)
        self.move(second, first)
        self.move(parked, second)

    def insert(self, position: int, originator_id: UUID, topic: str, state: bytes) -> None:
        """A forged creation event at `position`; the later events move up by one."""
        later = [e.position for e in self.events() if e.position >= position]
        for at in sorted(later, reverse=True):
            self.move(at, at + 1)
        stream: Any = originator_id if self.postgres else originator_id.hex
        self.execute(
            f"INSERT INTO {self.table} "
            f"(originator_id, originator_version, topic, state, {self.position_column}) "
            "VALUES (?, 1, ?, ?, ?)",
            [stream, topic, state, position],
        )

    def append(self, originator_id: UUID, version: int, topic: str, state: bytes) -> int:
        """An event written below the API, after the last one; answers its position."""
        stream: Any = originator_id if self.postgres else originator_id.hex
        self.execute(
            f"INSERT INTO {self.table} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            [stream, version, topic, state],
        )
        return max(e.position for e in self.events())
