"""Whether the database answers, and failing fast while it does not.

Without this, a stopped PostgreSQL made every request wait: the pool waits for a connection, the
library retries an operation ten times, and a request hung for tens of seconds. Here each
database has one `Availability` per process, shared by the event store, the read store and the
projection runner. A connection-level failure is confirmed by one direct connection attempt; if
that fails too, the database is *down*: every caller gets `StoreUnavailableError` at once
(nothing waits, nothing is retried) while a background probe tries every `PROBE_INTERVAL`
seconds and lets callers through again as soon as the database answers. A write refused because
the disk is full marks the database *full* until a small write succeeds again.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import sqlite3
import sys
import threading
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from eventsourcing.persistence import PersistenceError

logger = logging.getLogger("domain.storage")

#: Seconds between two attempts to reach a database that is down.
PROBE_INTERVAL = 0.5
#: SQLite's result code for a full disk (the low byte of an extended code).
SQLITE_FULL = 13
#: PostgreSQL's SQLSTATEs of a server that refuses or dropped the session, and of a full disk.
_PG_GONE = ("08", "57P01", "57P02", "57P03", "53300")
_PG_DISK_FULL = "53100"


class StoreUnavailableError(PersistenceError):
    """The database does not answer: stopped, unreachable, or refusing connections."""


class StoreFullError(PersistenceError):
    """The database refused a write because its disk is full: nothing was recorded."""


class Failure(Enum):
    UNAVAILABLE = "unavailable"
    FULL = "full"


def _chain(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(found) < 10 and current not in found:  # noqa: PLR2004
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def failure_of(error: BaseException) -> Failure | None:
    """Whether `error` (or what caused it) says the database is unreachable or full."""
    for cause in _chain(error):
        if isinstance(cause, StoreUnavailableError):
            return Failure.UNAVAILABLE
        if isinstance(cause, StoreFullError):
            return Failure.FULL
        if isinstance(cause, sqlite3.Error):
            code = getattr(cause, "sqlite_errorcode", None)
            if (code is not None and code & 0xFF == SQLITE_FULL) or "disk is full" in str(cause):
                return Failure.FULL
        if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
            return Failure.FULL
        found = _postgres_failure(cause)
        if found is not None:
            return found
    return None


def _postgres_failure(cause: BaseException) -> Failure | None:
    """psycopg's errors, looked at only where psycopg is loaded (the CLI may never load it)."""
    psycopg, pool = sys.modules.get("psycopg"), sys.modules.get("psycopg_pool")
    if pool is not None and isinstance(cause, pool.PoolTimeout):
        return Failure.UNAVAILABLE
    if psycopg is None or not isinstance(cause, psycopg.Error):
        return None
    state = cause.sqlstate
    if state == _PG_DISK_FULL:
        return Failure.FULL
    if state is None and isinstance(cause, psycopg.OperationalError | psycopg.InterfaceError):
        return Failure.UNAVAILABLE  # refused, closed or lost on the client's side
    if state is not None and state.startswith(_PG_GONE):
        return Failure.UNAVAILABLE
    return None


def describe(error: BaseException) -> str:
    """One line: the error's class and message, without the library's wrapping."""
    root = error
    while root.__cause__ is not None and root.__cause__ is not root:
        root = root.__cause__
    message = " ".join(str(root).split()) or type(root).__name__
    return f"{type(root).__name__}: {message}"


class Availability:
    """One database's state as this process last found it (see the module's docstring)."""

    def __init__(self, name: str, probe: Callable[[], None] | None = None) -> None:
        """`probe` connects to the database directly and raises if it cannot (PostgreSQL)."""
        self.name = name
        self.probe = probe
        self._lock = threading.Lock()
        self._down: str | None = None
        self._down_since = 0.0
        self._prober: threading.Thread | None = None
        self.full: str | None = None
        self.full_since: datetime | None = None
        #: Connection pools on this database: their idle connections are checked (the broken
        #: ones replaced) when it is back, so the first requests do not meet them.
        self._pools: weakref.WeakSet[Any] = weakref.WeakSet()

    def watch(self, pool: Any) -> None:
        """A psycopg_pool pool to refresh when the database is back (or was restarted)."""
        self._pools.add(pool)

    def refresh(self) -> None:
        """Drops the broken idle connections of every pool watched (they are replaced)."""
        for pool in list(self._pools):
            if not getattr(pool, "closed", True):
                with contextlib.suppress(Exception):
                    pool.check()

    @property
    def down(self) -> str | None:
        """Why the database is taken to be unreachable, or None."""
        return self._down

    def check(self) -> None:
        """Raises StoreUnavailableError at once while the database is down."""
        reason = self._down
        if reason is not None:
            msg = f"the database is unreachable ({reason}); retry shortly"
            raise StoreUnavailableError(msg)

    def reachable(self) -> bool:
        """One direct attempt to reach the database (True where there is nothing to probe)."""
        if self.probe is None:
            return True
        try:
            self.probe()
        except Exception:
            return False
        return True

    def failed(self, error: BaseException) -> StoreUnavailableError | StoreFullError | None:
        """The error to raise instead of `error` when it says the database is down or full."""
        failure = failure_of(error)
        if failure is Failure.FULL:
            self.report_full(error)
            msg = f"the database's disk is full: nothing was recorded ({describe(error)})"
            return StoreFullError(msg)
        if failure is Failure.UNAVAILABLE:
            if not self.reachable():
                self._mark_down(describe(error))
                return StoreUnavailableError(f"the database is unreachable ({describe(error)})")
            self.refresh()  # it answers: restarted, and the pools hold broken connections
        return None

    def report_full(self, error: BaseException) -> None:
        with self._lock:
            if self.full is None:
                logger.error("%s: the disk is full; writes are refused (%s)", self.name, error)
                self.full_since = datetime.now(UTC)
            self.full = describe(error)

    def report_written(self) -> None:
        """A write succeeded: the disk is not full (any more)."""
        if self.full is not None:
            with self._lock:
                if self.full is not None:
                    logger.warning("%s: writes succeed again", self.name)
                self.full = None
                self.full_since = None

    def _mark_down(self, reason: str) -> None:
        with self._lock:
            if self._down is None:
                logger.error("%s is unreachable: %s", self.name, reason)
                self._down_since = time.monotonic()
            self._down = reason
            if self._prober is None or not self._prober.is_alive():
                self._prober = threading.Thread(
                    target=self._probe_until_up, name="roadmap-db-probe", daemon=True
                )
                self._prober.start()

    def _probe_until_up(self) -> None:
        while True:
            time.sleep(PROBE_INTERVAL)
            if self.reachable():
                self.refresh()
                with self._lock:
                    seconds = time.monotonic() - self._down_since
                    self._down = None
                    self._prober = None
                logger.warning("%s answers again after %.1f s", self.name, seconds)
                return


_REGISTRY: dict[str, Availability] = {}
_REGISTRY_LOCK = threading.Lock()


def availability_of(key: str, probe: Callable[[], None] | None = None) -> Availability:
    """The one Availability of the database named `key` in this process."""
    with _REGISTRY_LOCK:
        found = _REGISTRY.get(key)
        if found is None:
            found = _REGISTRY[key] = Availability(key, probe)
        return found
