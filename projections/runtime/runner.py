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
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

from domain.application.service import RoadmapLedger
from projections.runtime import layout
from projections.runtime.db import Cursor, Dialect, ReadStore, describe, failure_of
from projections.runtime.lease import Lease
from projections.runtime.tables import STUCK, TRACKING, Table, from_db


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


@dataclass(frozen=True)
class Stuck:
    """A projection that cannot apply the event at `position`: it stays before it."""

    name: str
    position: int
    error: str

    def line(self) -> str:
        return f"stuck at {self.position}: {self.error}"


#: Seconds before a stuck projection tries its event again (the code or the store may have been
#: mended meanwhile); a retry that fails the same way is not logged again.
RETRY_STUCK_AFTER = 60.0


def exclude_setup(cursor: Cursor, dialect: Dialect, *, setting_up: bool) -> None:
    """First in a setup (exclusive) or a batch (shared) on PostgreSQL: one waits for the other.

    Setup's DDL (`CREATE INDEX IF NOT EXISTS` locks its table even when the index is there) and a
    batch's writes take their table locks in different orders, so a process starting while
    another runner applies a batch could deadlock, and fail its start (tests/e2e/test_scale_out).
    SQLite takes its one write lock up front.
    """
    if dialect != "postgres":
        return
    lock = "pg_advisory_xact_lock" if setting_up else "pg_advisory_xact_lock_shared"
    cursor.execute(f"SELECT {lock}(hashtext(current_schema() || ':roadmap-read-setup'))")


def create_tables(
    cursor: Cursor, dialect: Dialect, tables: Sequence[Table], *, readers: bool = True
) -> None:
    for table in tables:
        for statement in table.ddl(dialect, readers=readers):
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
        readers_indexes: bool = True,
    ) -> None:
        """With a `catalog`, setup also creates every live table and the reporting views.
        Without `readers_indexes`, the projections' tables get only the indexes they are
        written by (a rebuild adds the others before its swap)."""
        self.app = app
        self.store = store
        self.projections = projections
        self.catalog = catalog
        self.batch_size = batch_size
        self.suffix = tracking_suffix
        self.readers_indexes = readers_indexes
        self.analyse_every = ANALYSE_EVERY
        self.advanced = threading.Condition()
        self.position = 0
        self.stopping = threading.Event()
        self._unanalysed = 0
        #: The position this runner last committed for each projection.
        self._committed: dict[str, int] = {}
        #: Projections that cannot apply their next event, by key, and when to try again.
        self.stuck: dict[str, Stuck] = {}
        self._retry_at: dict[str, float] = {}
        #: The outage the runner last logged, so that it logs it once, and its recovery.
        self._paused: str | None = None

    def setup(self) -> None:
        live = self.catalog is not None and not self.suffix
        dialect = self.store.dialect
        with self.store.transaction(write=True) as cursor:
            exclude_setup(cursor, dialect, setting_up=True)
            create_tables(cursor, dialect, [TRACKING, layout.LAYOUTS, STUCK])
            if self.catalog is not None and live:
                self.catalog.drop_views(cursor)  # they would pin tables that must go
                for projection in self.projections:
                    key = self.key(projection)
                    if layout.is_stale(cursor, dialect, projection, key):
                        layout.reset(cursor, projection, key)
                create_tables(cursor, dialect, self.catalog.tables)
            for projection in self.projections:
                create_tables(cursor, dialect, projection.tables, readers=self.readers_indexes)
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
        # Projections a runner found stuck before: try again now, log only a new failure.
        for found in stuck_projections(self.store, [self.key(p) for p in self.projections]):
            self.stuck[found.name] = found
            self._retry_at[found.name] = 0.0

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

    def _active(self) -> list[Projection]:
        """The projections to run now: every one not stuck, and the stuck ones due a retry."""
        now = time.monotonic()
        return [
            p
            for p in self.projections
            if self.key(p) not in self.stuck or self._retry_at.get(self.key(p), 0.0) <= now
        ]

    def run_once(self) -> int:
        """Applies one batch; answers how many events it went through (0: caught up, lost a
        race, or every projection is stuck).

        An event that a projection cannot apply does not hold the others back: the batch is
        halved down to that event, whatever comes before it is committed, and the projection
        is marked stuck at the event (`stuck`, the `rm_stuck` table, one line in the log).
        A database outage is not an event's fault: it is raised, and nothing is marked.
        """
        tracked = self.tracking()
        self._moved_by_others(tracked)
        active = self._active()
        if not active:
            return 0
        start = min(tracked[self.key(p)] for p in active)
        notifications = self.app.recorder.select_notifications(start + 1, self.batch_size)
        if not notifications:
            return 0
        events, poison = self._decode(notifications)
        try:
            if events:
                self._commit([(p, events) for p in active], tracked)
        except LostRaceError:
            self._forget()
            return 0
        except Exception as error:
            self._forget()
            if failure_of(error) is not None:
                raise
            try:
                for projection in active:
                    self._isolate(projection, events, tracked)
            except LostRaceError:
                self._forget()
                return 0
        else:
            for projection in active:
                self._unstuck(projection, tracked, events)
        if poison is not None:
            self._unreadable(active, *poison)
        return len(events) + (poison is not None)

    def _moved_by_others(self, tracked: dict[str, int]) -> None:
        """Positions moved by someone else (a rebuild's swap, another runner): the caches are
        stale, and a projection moved past where it was stuck is stuck no more."""
        for projection in self.projections:
            key = self.key(projection)
            if self._committed.get(key, tracked[key]) != tracked[key]:
                projection.forget()
        for key, found in list(self.stuck.items()):
            if tracked[key] >= found.position:
                del self.stuck[key]
                self._retry_at.pop(key, None)

    def _unreadable(self, active: list[Projection], position: int, error: BaseException) -> None:
        """No projection can go past an event the mapper cannot read."""
        for projection in active:
            earlier = self.stuck.get(self.key(projection))
            if earlier is None or earlier.position >= position:
                self._mark_stuck(projection, position, error)

    def _decode(
        self, notifications: Sequence[Any]
    ) -> tuple[list[Recorded], tuple[int, BaseException] | None]:
        """The events of the notifications, up to the first the mapper cannot read."""
        events: list[Recorded] = []
        for notification in notifications:
            try:
                event = self.app.mapper.to_domain_event(notification)
                events.append(Recorded(notification.id, event, notification))
            except Exception as error:
                return events, (notification.id, error)
        return events, None

    def _commit(
        self, batches: list[tuple[Projection, list[Recorded]]], tracked: dict[str, int]
    ) -> None:
        """Applies each projection's part of `batches` and moves its position, in one
        transaction; `tracked` is updated once it commits."""
        moved: dict[str, int] = {}
        with self.store.transaction(write=True) as cursor:
            exclude_setup(cursor, self.store.dialect, setting_up=False)
            for projection, events in batches:
                key = self.key(projection)
                position = tracked[key]
                mine = [e for e in events if e[0] > position]
                if not mine:
                    continue
                last = mine[-1][0]
                # Claim the batch first: a second runner blocks here, then finds it taken.
                cursor.execute(
                    f"UPDATE {TRACKING.name} SET position = ? WHERE name = ? AND position = ?",
                    [last, key, position],
                )
                _claimed(cursor, key)
                projection.apply(cursor, self.store.dialect, mine)
                moved[key] = last
        tracked.update(moved)
        for key, position in moved.items():
            self._committed[key] = position
        if moved:
            with self.advanced:
                self.position = max(self.position, min(moved.values()))
                self.advanced.notify_all()

    def _isolate(
        self, projection: Projection, events: list[Recorded], tracked: dict[str, int]
    ) -> bool:
        """Applies `events` to `projection` alone, halving the batch on failure down to the
        event it cannot apply; answers False once it is stuck there."""
        mine = [e for e in events if e[0] > tracked[self.key(projection)]]
        if not mine:
            return True
        try:
            self._commit([(projection, mine)], tracked)
        except LostRaceError:
            raise
        except Exception as error:
            projection.forget()
            if failure_of(error) is not None:
                raise
            if len(mine) == 1:
                self._mark_stuck(projection, mine[0][0], error)
                return False
            half = len(mine) // 2
            return self._isolate(projection, mine[:half], tracked) and self._isolate(
                projection, mine[half:], tracked
            )
        self._unstuck(projection, tracked, mine)
        return True

    def _mark_stuck(self, projection: Projection, position: int, error: BaseException) -> None:
        key = self.key(projection)
        found = Stuck(key, position, describe(error))
        self._retry_at[key] = time.monotonic() + RETRY_STUCK_AFTER
        if self.stuck.get(key) == found:
            return  # tried again, failed the same way: said already
        self.stuck[key] = found
        logger.error(
            "projection %s is %s; it stays at %d until the event can be applied "
            "(the other projections go on)",
            key,
            found.line(),
            position - 1,
            exc_info=error,
        )
        if self.suffix:
            return  # a rebuild's runner: the rebuild reports it
        with self.store.transaction(write=True) as cursor:
            cursor.execute(f"DELETE FROM {STUCK.name} WHERE name = ?", [key])
            cursor.execute(
                STUCK.insert(),
                STUCK.row(
                    {
                        "name": key,
                        "position": position,
                        "error": found.error,
                        "since": datetime.now(UTC).isoformat(),
                    },
                    self.store.dialect,
                ),
            )

    def _unstuck(
        self, projection: Projection, tracked: dict[str, int], events: list[Recorded]
    ) -> None:
        key = self.key(projection)
        found = self.stuck.get(key)
        if found is None or not events or tracked[key] < found.position:
            return
        del self.stuck[key]
        self._retry_at.pop(key, None)
        logger.warning(
            "projection %s applied the event at %d: no longer stuck", key, found.position
        )
        if self.suffix:
            return
        with self.store.transaction(write=True) as cursor:
            cursor.execute(f"DELETE FROM {STUCK.name} WHERE name = ?", [key])

    def apply_to_head(self, cursor: Cursor, projection: Projection) -> int:
        """Inside the caller's transaction, applies what is left of the log to `projection`."""
        key = self.key(projection)
        cursor.execute(f"SELECT position FROM {TRACKING.name} WHERE name = ?", [key])
        position = int(cursor.fetchone()[0])
        while True:
            notifications = self.app.recorder.select_notifications(position + 1, self.batch_size)
            if not notifications:
                break
            events = [Recorded(n.id, self.app.mapper.to_domain_event(n), n) for n in notifications]
            projection.apply(cursor, self.store.dialect, events)
            position = notifications[-1].id
        cursor.execute(f"UPDATE {TRACKING.name} SET position = ? WHERE name = ?", [position, key])
        return position

    def _forget(self) -> None:
        self._committed.clear()
        for projection in self.projections:
            projection.forget()

    def catch_up(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Applies batches until the log is exhausted (or every projection is stuck); answers
        the events gone through."""
        total = 0
        while not self.stopping.is_set():
            applied = self.run_once()
            if applied == 0:
                break
            total += applied
            self._unanalysed += applied
            if self._unanalysed >= self.analyse_every:
                self.analyse()
            if progress is not None:
                progress(total, self.position)
        if total:
            self.settle()
        if total >= self.analyse_every:
            self.analyse(vacuum=True)
        elif self._unanalysed >= self.analyse_every // 4:
            self.analyse()
        return total

    def settle(self) -> None:
        """Caught up with the log: projections that keep what they hold between batches
        written only now and then (the temporal projection's heads) write it."""
        settling = [p for p in self.projections if hasattr(p, "settle")]
        if not settling:
            return
        with self.store.transaction(write=True) as cursor:
            exclude_setup(cursor, self.store.dialect, setting_up=False)
            for projection in settling:
                projection.settle(cursor, self.store.dialect)

    def analyse(self, *, vacuum: bool = False) -> None:
        """Fresh planner statistics after a bulk of rows: time travel's plans depend on them.

        With `vacuum` (after a long catch-up), the dead row versions go too: every segment and
        version row a catch-up closes leaves one behind, with its index entries, and until
        autovacuum comes (it had not, minutes after 200,000 events) a time-travel query visited
        17 times the rows it answered: 49 ms instead of 13.
        """
        self._unanalysed = 0
        if self.store.dialect != "postgres":
            return
        names = [table.name for projection in self.projections for table in projection.tables]
        if vacuum:
            self.store.maintain([f"VACUUM (ANALYZE) {name}" for name in names])
            return
        with self.store.transaction() as cursor:
            for name in names:
                cursor.execute(f"ANALYZE {name}")

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
                        self._resumed()
                        self._wait_for_events(lease, saves, idle_wait)
                    else:
                        self._resumed()
            except Exception as error:
                self._forget()
                self._pause(error)
                self.stopping.wait(idle_wait)
            finally:
                lease.release()

    def _pause(self, error: BaseException) -> None:
        """Logs a failure of the runner once (a database outage lasts many retries)."""
        reason = describe(error)
        if failure_of(error) is not None:
            if self._paused is None:
                logger.error("projections paused: %s; retrying until the database answers", reason)
            self._paused = self._paused or reason
        elif reason != self._paused:
            self._paused = reason
            logger.error("projection runner failed; retrying", exc_info=error)

    def _resumed(self) -> None:
        if self._paused is not None:
            logger.warning("projections resumed after: %s", self._paused)
            self._paused = None

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


def stuck_projections(store: ReadStore, names: Sequence[str] | None = None) -> list[Stuck]:
    """The projections a runner found stuck (all, or those `names`), from `rm_stuck`."""
    with store.transaction() as cursor:
        cursor.execute(f"SELECT name, position, error FROM {STUCK.name} ORDER BY name")
        rows = cursor.fetchall()
    found = [Stuck(from_db("text", r[0]), int(r[1]), from_db("text", r[2])) for r in rows]
    return [s for s in found if names is None or s.name in names]
