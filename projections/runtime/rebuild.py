"""Rebuild a projection from zero beside the live one, then swap it in at once.

The fresh tables (suffix `_next`) are filled from the log while readers keep reading the live
ones; the swap runs in one transaction that first brings the fresh tables to the head of the
log, then drops the live tables and renames the fresh ones, so readers see either the old model
or the complete new one, never half of one.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.application.service import RoadmapLedger
from projections.runtime import layout
from projections.runtime.db import Cursor, ReadStore
from projections.runtime.runner import Catalog, Projection, Runner, create_tables
from projections.runtime.tables import STUCK, TRACKING, Table

SUFFIX = "_next"


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
) -> dict[str, int]:
    """Rebuilds projection `name` (all when None); answers each one's position after the swap."""
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
    builder = Runner(app, store, fresh, batch_size=batch_size, tracking_suffix=SUFFIX)
    builder.setup()
    builder.catch_up(progress)
    if builder.stuck:
        lines = "; ".join(
            f"{s.name.removesuffix(SUFFIX)} {s.line()}" for s in builder.stuck.values()
        )
        raise RebuildStuckError(f"cannot rebuild: {lines}")
    return {p.name: _swap(store, catalog, builder, p, live) for p in fresh}


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
    for index in fresh.indexes:
        cursor.execute(f"DROP INDEX IF EXISTS {fresh.name}_{'_'.join(index)}")
    create_tables(cursor, store.dialect, [live])
