"""Only one runner applies batches at a time; a standby takes over when the holder dies.

PostgreSQL: a session advisory lock, released by the server when the holder's connection drops;
the same connection LISTENs for the library's NOTIFY on every save. SQLite: an flock on a file
beside the database, released by the kernel when the holder's process dies. The same locks let
server processes that start together set the store up one after another (`one_at_a_time`).
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, ClassVar

import psycopg
from psycopg import sql

from domain.storage import persistence_env

#: The library NOTIFYs on its events table's name, which it takes from the application's name.
EVENTS_CHANNEL = "roadmapledger_events"


class Lease:
    can_listen = False
    _held = False

    @property
    def held(self) -> bool:
        """Still ours: false once the lease's connection is gone."""
        return self._held

    def acquire(self) -> bool:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def wait_for_notify(self, timeout: float) -> bool:
        """True when woken by a save in any process; False after `timeout`."""
        del timeout
        return False

    def close(self) -> None:
        self.release()


class FileLease(Lease):
    _memory_locks: ClassVar[dict[str, threading.Lock]] = {}

    def __init__(self, db_path: str) -> None:
        self.memory = "mode=memory" in db_path
        self.path = Path(f"{db_path}.projections.lock")
        self._file: IO[bytes] | None = None
        self._memory_lock = FileLease._memory_locks.setdefault(db_path, threading.Lock())
        self._held = False

    def acquire(self) -> bool:
        if self._held:
            return True
        if self.memory:
            self._held = self._memory_lock.acquire(blocking=False)
            return self._held
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        self._held = True
        return True

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        if self.memory:
            self._memory_lock.release()
        elif self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class PostgresLease(Lease):
    can_listen = True

    def __init__(self, env: dict[str, str], channel: str) -> None:
        self.env = env
        self.channel = channel
        self.key = f"{env['POSTGRES_SCHEMA']}:roadmap-projections"
        self._connection: psycopg.Connection[Any] | None = None
        self._held = False

    def _connect(self) -> psycopg.Connection[Any]:
        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(
                dbname=self.env["POSTGRES_DBNAME"],
                host=self.env["POSTGRES_HOST"],
                port=self.env["POSTGRES_PORT"],
                user=self.env["POSTGRES_USER"],
                password=self.env["POSTGRES_PASSWORD"] or None,
                connect_timeout=int(self.env["POSTGRES_CONNECT_TIMEOUT"]),
                autocommit=True,
            )
            self._connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self._held = False
        return self._connection

    def acquire(self) -> bool:
        if self._held:
            return True
        try:
            row = (
                self._connect()
                .execute("SELECT pg_try_advisory_lock(hashtext(%s))", [self.key])
                .fetchone()
            )
        except psycopg.OperationalError:
            self._drop()
            return False
        self._held = bool(row and row[0])
        return self._held

    def release(self) -> None:
        if self._held and self._connection is not None and not self._connection.closed:
            try:
                self._connection.execute("SELECT pg_advisory_unlock(hashtext(%s))", [self.key])
            except psycopg.OperationalError:
                self._drop()
        self._held = False

    def wait_for_notify(self, timeout: float) -> bool:
        try:
            connection = self._connect()
            return any(True for _ in connection.notifies(timeout=timeout, stop_after=1))
        except psycopg.OperationalError:
            # The session, and with it the advisory lock, is gone: reacquire before going on.
            self._drop()
            return False

    def _drop(self) -> None:
        self._held = False
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def close(self) -> None:
        self.release()
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def lease_for(database_url: str, channel: str = EVENTS_CHANNEL) -> Lease:
    """The lease for the database; on PostgreSQL it also listens on the recorder's channel."""
    env = persistence_env(database_url)
    if "SQLITE_DBNAME" in env:
        return FileLease(env["SQLITE_DBNAME"])
    return PostgresLease(env, channel)


@contextmanager
def one_at_a_time(database_url: str) -> Iterator[None]:
    """Processes starting together set the store up one after another: concurrent DDL on
    PostgreSQL fails ("tuple concurrently updated", a view dropped under another's feet)."""
    env = persistence_env(database_url)
    if "SQLITE_DBNAME" in env:
        path = env["SQLITE_DBNAME"]
        if "mode=memory" in path:
            yield  # a memory store lives in one process
            return
        try:
            handle = Path(f"{path}.startup.lock").open("ab")  # noqa: SIM115 - closed below
        except OSError:
            yield  # opening the store says what is wrong, in its own words
            return
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return
    try:
        connection = psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
            connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
            autocommit=True,
        )
    except psycopg.OperationalError:
        yield  # opening the store says what is wrong, in its own words
        return
    with connection:
        key = f"{env['POSTGRES_SCHEMA']}:roadmap-startup"
        connection.execute("SELECT pg_advisory_lock(hashtext(%s))", [key])
        yield  # the lock goes with the session, also if this process dies meanwhile
