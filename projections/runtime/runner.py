"""Applies the log to the read models in batches: rows and tracking in one transaction.

The library's ProjectionRunner needs subscriptions (absent on SQLite) and commits once per
event; this runner reads pages of the notification log instead, so a batch of a thousand events
costs one transaction. Gaps in notification ids need no care: a page starts after the last
position applied, whatever ids follow.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol

from domain.application.service import RoadmapLedger
from projections.runtime import layout
from projections.runtime.db import Cursor, Dialect, ReadStore
from projections.runtime.lease import Lease
from projections.runtime.tables import TRACKING, Table


class Recorded(NamedTuple):
    """One event of a batch: its log position, the event as this release reads it, and the
    stored record it was read from (what the audit trail commits to)."""

    position: int
    event: Any
    stored: Any


class Projection(Protocol):
    name: str
    base_tables: tuple[Table, ...]
    tables: tuple[Table, ...]

    def apply(self, cursor: Cursor, dialect: Dialect, events: Sequence[Recorded]) -> None:
        """Applies a batch of events in log order, inside the runner's transaction."""

    def forget(self) -> None:
        """Drops what the projection cached: its last transaction did not commit."""


class Catalog(Protocol):
    """The read side the runtime runs: its projections, every live table, the views over them."""

    tables: tuple[Table, ...]

    def projections(
        self, app: RoadmapLedger, suffix: str = "", signer: Any = None
    ) -> list[Projection]: ...

    def create_views(self, cursor: Cursor) -> None: ...

    def drop_views(self, cursor: Cursor) -> None: ...


logger = logging.getLogger("projections")

#: Events applied between two refreshes of the planner's statistics (PostgreSQL).
ANALYSE_EVERY = 20_000


class LostRaceError(Exception):
    """Another runner applied this batch first; this one rolls back and reads again."""


def _claimed(cursor: Cursor, name: str) -> None:
    if cursor.rowcount != 1:
        raise LostRaceError(name)


def create_tables(cursor: Cursor, dialect: Dialect, tables: Sequence[Table]) -> None:
    for table in tables:
        for statement in table.ddl(dialect):
            cursor.execute(statement)


class Runner:
    def __init__(
        self,
        app: RoadmapLedger,
        store: ReadStore,
        projections: list[Projection],
        *,
        catalog: Catalog | None = None,
        batch_size: int = 1000,
        tracking_suffix: str = "",
    ) -> None:
        """With a `catalog`, setup also creates every live table and the reporting views."""
        self.app = app
        self.store = store
        self.projections = projections
        self.catalog = catalog
        self.batch_size = batch_size
        self.suffix = tracking_suffix
        self.advanced = threading.Condition()
        self.position = 0
        self.stopping = threading.Event()
        self._unanalysed = 0
        #: The position this runner last committed for each projection.
        self._committed: dict[str, int] = {}

    def setup(self) -> None:
        live = self.catalog is not None and not self.suffix
        dialect = self.store.dialect
        with self.store.transaction(write=True) as cursor:
            create_tables(cursor, dialect, [TRACKING, layout.LAYOUTS])
            if self.catalog is not None and live:
                self.catalog.drop_views(cursor)  # they would pin tables that must go
                for projection in self.projections:
                    key = self.key(projection)
                    if layout.is_stale(cursor, dialect, projection, key):
                        layout.reset(cursor, projection, key)
                create_tables(cursor, dialect, self.catalog.tables)
            for projection in self.projections:
                create_tables(cursor, dialect, projection.tables)
                cursor.execute(
                    f"INSERT INTO {TRACKING.name} (name, position, leaf_count) VALUES (?, 0, 0) "
                    "ON CONFLICT (name) DO NOTHING",
                    [self.key(projection)],
                )
                if live:
                    layout.record(cursor, dialect, projection, self.key(projection))
            if self.catalog is not None and live:
                self.catalog.create_views(cursor)
        self.position = min(self.tracking().values(), default=0)

    def key(self, projection: Projection) -> str:
        """The projection's row in the tracking table."""
        return projection.name + self.suffix

    def tracking(self) -> dict[str, int]:
        names = [self.key(p) for p in self.projections]
        with self.store.transaction() as cursor:
            cursor.execute(
                f"SELECT name, position FROM {TRACKING.name} "
                f"WHERE name IN ({', '.join('?' * len(names))})",
                names,
            )
            return {row[0]: int(row[1]) for row in cursor.fetchall()}

    def run_once(self) -> int:
        """Applies one batch; answers how many events it applied (0: caught up or lost a race)."""
        tracked = self.tracking()
        for projection in self.projections:
            # Moved by someone else (a rebuild's swap, another runner): the caches are stale.
            key = self.key(projection)
            if self._committed.get(key, tracked[key]) != tracked[key]:
                projection.forget()
        start = min(tracked.values())
        notifications = self.app.recorder.select_notifications(start + 1, self.batch_size)
        if not notifications:
            return 0
        events = self._read(notifications)
        last = notifications[-1].id
        try:
            with self.store.transaction(write=True) as cursor:
                for projection in self.projections:
                    position = tracked[self.key(projection)]
                    mine = [e for e in events if e.position > position]
                    if not mine:
                        continue
                    # Claim the batch first: a second runner blocks here, then finds it taken.
                    cursor.execute(
                        f"UPDATE {TRACKING.name} SET position = ? WHERE name = ? AND position = ?",
                        [last, self.key(projection), position],
                    )
                    _claimed(cursor, self.key(projection))
                    projection.apply(cursor, self.store.dialect, mine)
        except LostRaceError:
            self._forget()
            return 0
        except BaseException:
            self._forget()
            raise
        for projection in self.projections:
            self._committed[self.key(projection)] = max(last, tracked[self.key(projection)])
        with self.advanced:
            self.position = max(self.position, last)
            self.advanced.notify_all()
        return len(notifications)

    def apply_to_head(self, cursor: Cursor, projection: Projection) -> int:
        """Inside the caller's transaction, applies what is left of the log to `projection`."""
        key = self.key(projection)
        cursor.execute(f"SELECT position FROM {TRACKING.name} WHERE name = ?", [key])
        position = int(cursor.fetchone()[0])
        while True:
            notifications = self.app.recorder.select_notifications(position + 1, self.batch_size)
            if not notifications:
                break
            projection.apply(cursor, self.store.dialect, self._read(notifications))
            position = notifications[-1].id
        cursor.execute(f"UPDATE {TRACKING.name} SET position = ? WHERE name = ?", [position, key])
        return position

    def _read(self, notifications: Sequence[Any]) -> list[Recorded]:
        return [Recorded(n.id, self.app.mapper.to_domain_event(n), n) for n in notifications]

    def _forget(self) -> None:
        self._committed.clear()
        for projection in self.projections:
            projection.forget()

    def catch_up(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Applies batches until the log is exhausted; answers the events applied."""
        total = 0
        while not self.stopping.is_set():
            applied = self.run_once()
            if applied == 0:
                break
            total += applied
            self._unanalysed += applied
            if self._unanalysed >= ANALYSE_EVERY:
                self.analyse()
            if progress is not None:
                progress(total, self.position)
        if self._unanalysed >= ANALYSE_EVERY // 4:
            self.analyse()
        return total

    def analyse(self) -> None:
        """Fresh planner statistics after a bulk of rows: time travel's plans depend on them."""
        self._unanalysed = 0
        if self.store.dialect != "postgres":
            return
        with self.store.transaction() as cursor:
            for projection in self.projections:
                for table in projection.tables:
                    cursor.execute(f"ANALYZE {table.name}")

    def wait_for(self, position: int, timeout: float) -> bool:
        """True once the read models reflect `position` (read-your-writes)."""
        deadline = time.monotonic() + timeout
        with self.advanced:
            while self.position < position:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.advanced.wait(remaining)
        return True

    def run_forever(self, lease: Lease, idle_wait: float = 0.5) -> None:
        """Runs while it holds the lease; a standby waits for it (another worker died).

        A failure (the database went away, the lease's connection dropped) is logged and
        retried: the runner must outlive an outage, not end with it.
        """
        while not self.stopping.is_set():
            try:
                if not lease.acquire():
                    self.stopping.wait(idle_wait)
                    continue
                # Others may have applied batches while this runner did not hold the lease.
                self._forget()
                while not self.stopping.is_set() and lease.held:
                    saves = self.app.saves
                    if self.catch_up() == 0:
                        self._wait_for_events(lease, saves, idle_wait)
            except Exception:
                logger.exception("projection runner failed; retrying in %.1f s", idle_wait)
                self._forget()
                self.stopping.wait(idle_wait)
            finally:
                lease.release()

    def _wait_for_events(self, lease: Lease, saves: int, idle_wait: float) -> None:
        if lease.can_listen:
            lease.wait_for_notify(idle_wait)
            return
        # No LISTEN on SQLite: in-process saves wake us; other processes' are polled.
        with self.app.saved:
            self.app.saved.wait_for(
                lambda: self.app.saves != saves or self.stopping.is_set(), idle_wait
            )

    def stop(self) -> None:
        self.stopping.set()
        with self.app.saved:
            self.app.saved.notify_all()
