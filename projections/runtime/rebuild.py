"""Rebuild a projection from zero beside the live one, then swap it in at once.

The fresh tables (suffix `_next`) are filled from the log while readers keep reading the live
ones; the swap runs in one transaction that first brings the fresh tables to the head of the
log, then drops the live tables and renames the fresh ones, so readers see either the old model
or the complete new one, never half of one.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass

from eventsourcing.utils import resolve_topic

from domain.application.service import RoadmapLedger
from projections.runtime import layout
from projections.runtime.db import Cursor, ReadStore, StoreUnavailableError
from projections.runtime.lease import one_at_a_time
from projections.runtime.runner import Catalog, Projection, Runner, Stuck, create_tables
from projections.runtime.tables import STUCK, TRACKING, Table

SUFFIX = "_next"
#: Seconds between two progress reports of a rebuild in processes.
PROGRESS_EVERY = 0.5
#: Times a process of a rebuild tries again when the database does not answer.
OUTAGE_ATTEMPTS = 5


class UnknownProjectionError(ValueError):
    pass


class RebuildStuckError(RuntimeError):
    """A projection cannot apply an event of the log: the live tables are left as they were."""


def _drop(cursor: Cursor, tables: tuple[Table, ...]) -> None:
    for table in tables:
        cursor.execute(f"DROP TABLE IF EXISTS {table.name}")


def rebuild(
    app: RoadmapLedger,
    store: ReadStore,
    catalog: Catalog,
    name: str | None = None,
    *,
    batch_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
    parallel: Parallel | None = None,
) -> dict[str, int]:
    """Rebuilds projection `name` (all when None); answers each one's position after the swap.
    With `parallel`, the projections are built in processes of their own."""
    fresh = catalog.projections(app, SUFFIX)
    if name is not None:
        fresh = [p for p in fresh if p.name == name]
        if not fresh:
            known = ", ".join(p.name for p in catalog.projections(app))
            msg = f"no projection named {name!r} (known: {known})"
            raise UnknownProjectionError(msg)
    live = catalog.projections(app)
    Runner(app, store, live, catalog=catalog).setup()  # live tables, tracking rows, views
    with store.transaction(write=True) as cursor:
        for projection in fresh:
            _drop(cursor, projection.tables)
            cursor.execute(
                f"DELETE FROM {TRACKING.name} WHERE name = ?",
                [projection.name + SUFFIX],
            )
    builder = Runner(
        app, store, fresh, batch_size=batch_size, tracking_suffix=SUFFIX, readers_indexes=False
    )
    builder.setup()
    if parallel is not None and len(fresh) > 1 and app.position() >= parallel.from_events:
        stuck = _build_apart(builder, parallel, [p.name for p in fresh], batch_size, progress)
    else:
        builder.catch_up(progress)
        stuck = list(builder.stuck.values())
    if stuck:
        lines = "; ".join(f"{s.name.removesuffix(SUFFIX)} {s.line()}" for s in stuck)
        raise RebuildStuckError(f"cannot rebuild: {lines}")
    with store.transaction(write=True) as cursor:
        for projection in fresh:
            for table in projection.tables:
                for statement in table.readers_ddl(store.dialect):
                    cursor.execute(statement)
    return {p.name: _swap(store, catalog, builder, p, live) for p in fresh}


@dataclass(frozen=True)
class Parallel:
    """How to build the projections in processes of their own, one each: they share no
    table, so each applies the log alone, and a rebuild takes as long as the slowest."""

    database_url: str
    #: Where the catalog is (`module:NAME`): each process imports it.
    catalog: str
    processes: int
    #: A log shorter than this is rebuilt in one process: starting the others (each imports
    #: the whole application) takes seconds.
    from_events: int = 20_000


def _build_apart(
    builder: Runner,
    parallel: Parallel,
    names: list[str],
    batch_size: int,
    progress: Callable[[int, int], None] | None,
) -> list[Stuck]:
    """Each fresh projection caught up in a process of its own; answers where any is stuck."""
    context = multiprocessing.get_context("spawn")
    workers = max(1, min(parallel.processes, len(names)))
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        started = builder.tracking()
        jobs = [
            pool.submit(_build_one, parallel.database_url, parallel.catalog, name, batch_size)
            for name in names
        ]
        while wait(jobs, timeout=PROGRESS_EVERY).not_done:
            if progress is not None:
                _report(builder, started, progress)
        stuck = [found for job in jobs for found in job.result()]
    if progress is not None:
        _report(builder, started, progress)
    return stuck


def _report(builder: Runner, started: dict[str, int], progress: Callable[[int, int], None]) -> None:
    """Progress as the slowest projection stands: events it applied, and its position."""
    now = builder.tracking()
    slowest = min(now, key=lambda key: now[key])
    progress(now[slowest] - started.get(slowest, 0), now[slowest])


def _build_one(database_url: str, catalog_topic: str, name: str, batch_size: int) -> list[Stuck]:
    """In a process of its own: catches the fresh projection `name` up with the log."""
    catalog: Catalog = resolve_topic(catalog_topic)
    with one_at_a_time(database_url):  # the store's set-up DDL, run by each process
        app = RoadmapLedger(database_url)
    store = ReadStore(database_url, pool_size=2)
    try:
        fresh = [p for p in catalog.projections(app, SUFFIX) if p.name == name]
        runner = Runner(
            app,
            store,
            fresh,
            batch_size=batch_size,
            tracking_suffix=SUFFIX,
            readers_indexes=False,
        )
        for attempt in range(OUTAGE_ATTEMPTS):
            # A database too busy to answer at once (the rebuild's processes load it too)
            # costs a wait, not the rebuild: each batch commits with its position.
            try:
                runner.setup()
                runner.catch_up()
                break
            except StoreUnavailableError:
                if attempt == OUTAGE_ATTEMPTS - 1:
                    raise
                time.sleep(1.0)  # the runner forgot its caches when the batch failed
        return list(runner.stuck.values())
    finally:
        store.close()
        app.close()


def _swap(
    store: ReadStore, catalog: Catalog, builder: Runner, fresh: Projection, lives: list[Projection]
) -> int:
    live = next(p for p in lives if p.name == fresh.name)
    with store.transaction(write=True) as cursor:
        # Hold the live tracking row: a live runner mid-batch finishes first, the next one
        # finds the position moved and reads again.
        cursor.execute(
            f"UPDATE {TRACKING.name} SET position = position WHERE name = ?",
            [live.name],
        )
        head = builder.apply_to_head(cursor, fresh)
        catalog.drop_views(cursor)
        _drop(cursor, live.tables)
        for table in fresh.tables:
            base = table.name.removesuffix(SUFFIX)
            cursor.execute(f"ALTER TABLE {table.name} RENAME TO {base}")
            _rename_indexes(cursor, store, table, base)
        cursor.execute(f"UPDATE {TRACKING.name} SET position = ? WHERE name = ?", [head, live.name])
        cursor.execute(f"DELETE FROM {TRACKING.name} WHERE name = ?", [fresh.name + SUFFIX])
        layout.record(cursor, store.dialect, live, live.name)
        cursor.execute(
            f"DELETE FROM {STUCK.name} WHERE name IN (?, ?)", [live.name, fresh.name + SUFFIX]
        )
        catalog.create_views(cursor)
    return head


def _rename_indexes(cursor: Cursor, store: ReadStore, fresh: Table, base: str) -> None:
    """Indexes keep the fresh table's names after a rename; give them the live names."""
    live = fresh.with_name(base)
    if store.dialect == "postgres":
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ?",
            [base],
        )
        for (index,) in cursor.fetchall():
            if index.startswith(fresh.name):
                renamed = base + index.removeprefix(fresh.name)
                cursor.execute(f"ALTER INDEX {index} RENAME TO {renamed}")
        return
    # SQLite renames no index: drop the fresh table's (lookups too), make the live ones.
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        [base],
    )
    for (index,) in cursor.fetchall():
        if index.startswith(fresh.name):
            cursor.execute(f"DROP INDEX IF EXISTS {index}")
    create_tables(cursor, store.dialect, [live])
