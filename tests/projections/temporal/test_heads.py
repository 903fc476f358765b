"""Item heads (issue 13): an item read back from `rm_item_heads` continues exactly as the same
item kept in memory — row for row, with backdated events, corrections and retractions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.workload import generate
from projections.runtime.cache import ItemCache
from projections.runtime.db import ReadStore
from projections.runtime.runner import Runner
from projections.temporal.projection import TemporalProjection
from tests.support.stores import fresh_url, opened


def _rows(store: ReadStore, projection: TemporalProjection) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with store.transaction() as cursor:
        for table in projection.tables:
            cursor.execute(f"SELECT * FROM {table.name}")
            found[table.name.removesuffix("_one")] = sorted(map(repr, cursor.fetchall()))
    return found


def _build(
    app: Any, store: ReadStore, suffix: str, *, batch: int, cache: int
) -> TemporalProjection:
    projection = TemporalProjection(suffix)
    projection.cache = ItemCache(cache)
    runner = Runner(app, store, [projection], batch_size=batch, tracking_suffix=suffix)
    runner.setup()
    runner.catch_up()
    return projection


def test_items_read_back_from_their_heads_continue_as_if_kept_in_memory(
    database_url: str, tmp_path: Path
) -> None:
    with fresh_url(database_url, tmp_path, "heads") as url, opened(url) as (app, store):
        generate(app, 900, 40, seed=13)
        # Every batch of three events finds its items evicted: they come from their heads.
        evicted = _build(app, store, "", batch=3, cache=1)
        kept = _build(app, store, "_one", batch=5000, cache=5000)
        rows, expected = _rows(store, evicted), _rows(store, kept)
        amended = [r for r in rows["rm_entries"] if "Corrected" in r or "Retracted" in r]
        assert amended, "the log holds corrections: their items re-fold their entries"
        assert rows == expected
