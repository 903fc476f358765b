"""One small connection layer for the read models on SQLite and PostgreSQL.

SQL in the projections is written with `?` placeholders; PostgreSQL gets `%s`. Both backends keep
the read models in the same database (and PostgreSQL schema) as the events, so a batch of rows
and its tracking position commit in one transaction.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Protocol, cast

import psycopg
from psycopg.types.json import set_json_loads
from psycopg_pool import ConnectionPool, PoolTimeout

from domain.storage import (
    Dialect,
    StoreFullError,
    StoreUnavailableError,
    availability_for,
    describe,
    dialect_of,
    failure_of,
    in_memory,
    persistence_env,
)
from projections.runtime.escape import load_json
from projections.runtime.transcoder import ReadModelTranscoder

#: The read side names the dialect and the transcoder here: nothing else of it imports the
#: storage package.
__all__ = [
    "Cursor",
    "Dialect",
    "ReadModelTranscoder",
    "ReadStore",
    "StoreFullError",
    "StoreUnavailableError",
    "among",
    "describe",
    "failure_of",
    "in_memory",
    "insert_many",
    "missing_store",
]


#: Seconds a read waits for a pooled connection before asking whether the database answers at
#: all (if not, it fails at once); and how long, in all, it waits while the database answers.
POOL_WAIT = 1.0
BUSY_WAIT = 30.0
#: Seconds the pool retries a lost connection before leaving the next caller a fresh attempt.
RECONNECT_FOR = 2.0


def _configure(connection: psycopg.Connection[Any]) -> None:
    """jsonb values arrive with the texts escape.py escaped restored."""
    set_json_loads(load_json, connection)


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchone(self) -> Any: ...

    @property
    def rowcount(self) -> int: ...


class _PgCursor:
    """psycopg with the projections' `?` placeholders."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._cursor.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any:
        return self._cursor.executemany(sql.replace("?", "%s"), rows)

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    def copy_rows(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


class ReadStore:
    """Connections to the read-model database named by ROADMAP_DATABASE_URL."""

    def __init__(self, database_url: str, *, pool_size: int = 4) -> None:
        env = persistence_env(database_url)
        self.dialect: Dialect = dialect_of(database_url)
        self.availability = availability_for(database_url)
        if self.dialect == "sqlite":
            self._sqlite_path = env["SQLITE_DBNAME"]
            self._local = threading.local()
            self._lock = threading.Lock()
            self._connections: list[sqlite3.Connection] = []
            self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        else:
            self.schema = env["POSTGRES_SCHEMA"]
            conninfo = _conninfo(env, options=f"-c search_path={self.schema}")
            # No automatic prepared statements: a generic plan of a time-travel query ignores
            # where its ranges fall and was seen to take seconds instead of milliseconds.
            self._pool = ConnectionPool(
                conninfo,
                min_size=1,
                max_size=pool_size,
                open=True,
                name="roadmap-read",
                kwargs={"prepare_threshold": None},
                configure=_configure,
                timeout=POOL_WAIT,
                reconnect_timeout=RECONNECT_FOR,
            )
            self.availability.watch(self._pool)

    def _sqlite(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self._sqlite_path,
                uri=True,
                isolation_level=None,
                check_same_thread=False,
                timeout=30,
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Cursor]:
        """One transaction; a write transaction on SQLite takes the write lock up front.

        A database that is down, or a disk that is full, raises StoreUnavailableError or
        StoreFullError (domain.storage.availability); while it is down, at once.
        """
        with self._failures():
            if self._pool is None:
                with self._sqlite_transaction(write) as cursor:
                    yield cursor
            else:
                connection = self._connection()
                try:
                    with connection.transaction(), connection.cursor() as pg_cursor:
                        yield _PgCursor(pg_cursor)
                finally:
                    self._pool.putconn(connection)
        if write:
            self.availability.report_written()

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """A database down or a disk full, as the store's own errors."""
        try:
            yield
        except (
            sqlite3.OperationalError,
            psycopg.OperationalError,
            psycopg.InterfaceError,
        ) as error:
            instead = self.availability.failed(error)
            if instead is not None:
                raise instead from error
            raise

    @contextmanager
    def _sqlite_transaction(self, write: bool) -> Iterator[Cursor]:
        connection = self._sqlite()
        cursor = connection.cursor()
        cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield cursor
        except BaseException:
            connection.rollback()
            raise
        else:
            connection.commit()
        finally:
            cursor.close()

    def maintain(self, statements: Sequence[str]) -> None:
        """Runs statements that cannot run in a transaction (VACUUM) on PostgreSQL."""
        if self._pool is None:
            return
        with self._failures():
            connection = self._connection()
            try:
                connection.autocommit = True
                for statement in statements:
                    connection.execute(statement)
            finally:
                with suppress(psycopg.Error):  # a broken connection: the pool drops it
                    connection.autocommit = False
                self._pool.putconn(connection)

    def _connection(self) -> psycopg.Connection[Any]:
        """A pooled connection: waits while the database answers, fails fast when it does not."""
        pool = cast(ConnectionPool[psycopg.Connection[Any]], self._pool)
        deadline = time.monotonic() + BUSY_WAIT
        while True:
            self.availability.check()
            try:
                return pool.getconn()
            except PoolTimeout as error:
                instead = self.availability.failed(error)
                if instead is not None:
                    raise instead from error
                if time.monotonic() > deadline:
                    raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            return
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()


def _conninfo(env: dict[str, str], **more: str) -> str:
    return psycopg.conninfo.make_conninfo(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        connect_timeout=env["POSTGRES_CONNECT_TIMEOUT"],
        **more,
    )


def missing_store(database_url: str) -> str | None:
    """What keeps the URL from naming an existing store, found without creating anything.

    None when the database (and on PostgreSQL its schema) exists. Opening a store creates its
    file, schema and tables; a reader that must not (`roadmap verify`) asks this first.
    """
    env = persistence_env(database_url)
    if dialect_of(database_url) == "sqlite":
        path = env["SQLITE_DBNAME"]
        if path.startswith("file:"):
            return "an in-memory database holds no record"
        if not Path(path).is_file():
            return f"no database file {Path(path).absolute()}"
        return None
    schema = env["POSTGRES_SCHEMA"]
    try:
        with psycopg.connect(_conninfo(env)) as connection:
            row = connection.execute(
                "SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]
            ).fetchone()
    except psycopg.Error as error:
        return f"cannot connect: {str(error).strip()}"
    return f"no schema {schema!r} in the database" if row is None else None


def among(dialect: Dialect, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """`column IN (values)` as a condition and its parameters: on PostgreSQL one text array, so
    that the statement's text is the same whatever the count (psycopg parses in Python, and
    caches, each statement text it meets: a list of placeholders was a new one every batch)."""
    if dialect == "postgres":
        return f"{column} = ANY(?::text[])", [list(values)]
    return f"{column} IN ({', '.join('?' * len(values))})", list(values)


#: Up to this many rows, PostgreSQL gets one INSERT of them all rather than COPY.
FEW_ROWS = 50


def insert_many(
    cursor: Cursor,
    dialect: Dialect,
    table: Any,
    rows: Sequence[Sequence[Any]],
    *,
    upsert: bool = False,
) -> None:
    """Writes rows: on PostgreSQL through COPY (an upsert copies into a scratch table first),
    or for a few rows (a live batch) one multi-row INSERT, one round trip instead of three."""
    if not rows:
        return
    if dialect == "sqlite" or not isinstance(cursor, _PgCursor):
        cursor.executemany(table.upsert() if upsert else table.insert(), rows)
        return
    names = ", ".join(table.column_names)
    if len(rows) <= FEW_ROWS:
        one = f"({', '.join('?' * len(table.column_names))})"
        statement = table.upsert() if upsert else table.insert()
        head, _, rest = statement.partition(" VALUES ")
        tail = rest.removeprefix(one)
        cursor.execute(
            f"{head} VALUES {', '.join([one] * len(rows))}{tail}",
            [value for row in rows for value in row],
        )
        return
    if not upsert:
        cursor.copy_rows(f"COPY {table.name} ({names}) FROM STDIN", rows)
        return
    scratch = f"scratch_{table.name}"
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {scratch} "
        f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    cursor.copy_rows(f"COPY {scratch} ({names}) FROM STDIN", rows)
    head, _, conflict = table.upsert().partition(" ON CONFLICT ")
    del head
    cursor.execute(
        f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {scratch} ON CONFLICT {conflict}"
    )
