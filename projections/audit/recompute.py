"""Every leaf recomputed from the stored events, in log order: here, or in worker processes.

Recomputing a leaf (decode the stored JSON, encode the canonical JSON, hash it) is most of what
`roadmap verify` does, and leaves do not depend on each other: worker processes each read a range
of positions from the database and hash it, and the caller gets the leaves back in log order, so
that the Merkle tree is still folded in order in one place. At most two ranges a worker are in
flight, so memory stays constant whatever the size of the log.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections import deque
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, NamedTuple, cast
from uuid import UUID

from domain.application.service import RoadmapLedger
from projections.audit.leaf import StoredLeaves
from projections.runtime.db import ReadStore, in_memory

#: Positions a worker reads and hashes at a time.
RANGE = 5000
#: `roadmap verify --workers` / ROADMAP_VERIFY_WORKERS: processes that hash leaves.
WORKERS_ENV = "ROADMAP_VERIFY_WORKERS"

#: (position, leaf hash in hex, None) or, when the stored bytes cannot be read as an event,
#: (position, None, why).
Leaf = tuple[int, str | None, str | None]


def default_workers() -> int:
    """ROADMAP_VERIFY_WORKERS if set, else a process per core."""
    configured = os.environ.get(WORKERS_ENV, "").strip()
    if configured:
        return max(1, int(configured))
    return os.cpu_count() or 1


def leaves(
    app: RoadmapLedger, workers: int = 1, span: int | None = None
) -> Generator[Leaf, None, None]:
    """Each stored event's leaf, in log order; `workers` > 1 hashes them in that many processes
    (when the store can be opened by another process and holds more than one range of `span`
    positions, RANGE by default)."""
    span = span or RANGE
    if workers > 1 and not in_memory(app.database_url) and app.position() > span:
        return _in_workers(app, workers, span)
    return _here(app)


def _here(app: RoadmapLedger) -> Generator[Leaf, None, None]:
    stored = StoredLeaves()
    for notification in app.notifications():
        yield _leaf(stored, notification)


def _leaf(stored: StoredLeaves, notification: Any) -> Leaf:
    position = int(notification.id)
    try:
        _, digest = stored.leaf(notification)
    except Exception as error:
        return position, None, str(error)
    return position, digest, None


def _ranges(app: RoadmapLedger, span: int) -> Iterator[tuple[int, int]]:
    """(first, last) positions, up to the end of the log, including events recorded meanwhile."""
    first, end = 1, app.position()
    while first <= end:
        yield first, first + span - 1
        first += span
        if first > end:
            end = app.position()


def _in_workers(app: RoadmapLedger, workers: int, span: int) -> Generator[Leaf, None, None]:
    # spawn, not fork: a forked child would share the parent's database connections.
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_open,
        initargs=(app.database_url, _events_table(app)),
    )
    pending: deque[Future[list[Leaf]]] = deque()
    try:
        for bounds in _ranges(app, span):
            pending.append(pool.submit(_hash_range, bounds))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class StoredRow(NamedTuple):
    """A stored event as `StoredLeaves` reads it, without building an event or a UUID."""

    id: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes


_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class StoredRows:
    """The stored events of a range of positions, read straight from the log's table in one
    query: what the library's recorder reads, without its event objects."""

    def __init__(self, database_url: str, table: str) -> None:
        self.store = ReadStore(database_url, pool_size=1)
        if self.store.dialect == "sqlite":
            self._select = (
                f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} "
                "WHERE rowid >= ? AND rowid <= ? ORDER BY rowid"
            )
        else:
            # The text of a uuid is the canonical spelling `str(UUID)` gives.
            self._select = (
                "SELECT notification_id, originator_id::text, originator_version, topic, state "
                f"FROM {table} WHERE notification_id >= ? AND notification_id <= ? "
                "ORDER BY notification_id"
            )

    def between(self, first: int, last: int) -> list[StoredRow]:
        with self.store.transaction() as cursor:
            cursor.execute(self._select, [first, last])
            rows = cursor.fetchall()
        # SQLite: the recorder reads the stored text as a UUID, which spells it back the same
        # unless it was stored otherwise.
        return [
            StoredRow(p, i if _UUID_TEXT.fullmatch(i) else str(UUID(i)), v, t, bytes(s))
            for p, i, v, t, s in rows
        ]


def _events_table(app: RoadmapLedger) -> str:
    """The table the library's recorder keeps the log in (both recorders name it)."""
    return str(cast(Any, app.recorder).events_table_name)


_worker: tuple[StoredRows, StoredLeaves] | None = None


def _open(database_url: str, table: str) -> None:
    """A worker's own connection to the store; it reads and creates nothing else."""
    global _worker  # noqa: PLW0603 - one connection a worker process, opened once
    _worker = StoredRows(database_url, table), StoredLeaves()


def _hash_range(bounds: tuple[int, int]) -> list[Leaf]:
    assert _worker is not None  # noqa: S101 - the pool's initializer opened it
    rows, stored = _worker
    return [_leaf(stored, row) for row in rows.between(*bounds)]
