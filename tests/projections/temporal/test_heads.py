"""Item heads (issue 13): an item read back from `rm_item_heads`, or folded again from its entries
where its head is behind, continues exactly as the same item kept in memory — row for row, with
backdated events, corrections and retractions."""

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
    """Every row the projection shows; the heads are its own memory, written when an item
    leaves its cache, so they differ with the cache."""
    found: dict[str, list[str]] = {}
    with store.transaction() as cursor:
        for table in projection.tables:
            if table is projection.heads:
                continue
            cursor.execute(f"SELECT * FROM {table.name}")
            found[table.name.removesuffix("_one")] = sorted(map(repr, cursor.fetchall()))
    return found


def _build(
    app: Any, store: ReadStore, suffix: str, *, batch: int, cache: int, forget_every: int = 0
) -> TemporalProjection:
    """The projection built in batches; every `forget_every` batches it forgets its cache, as
    a runner does when a transaction rolls back or the process restarts."""
    projection = TemporalProjection(suffix)
    projection.cache = ItemCache(cache)
    runner = Runner(app, store, [projection], batch_size=batch, tracking_suffix=suffix)
    runner.setup()
    batches = 0
    while runner.run_once():
        batches += 1
        if forget_every and batches % forget_every == 0:
            projection.forget()
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


def test_items_whose_heads_are_behind_are_folded_again_from_their_entries(
    database_url: str, tmp_path: Path
) -> None:
    with fresh_url(database_url, tmp_path, "behind") as url, opened(url) as (app, store):
        generate(app, 900, 40, seed=14)
        # A large cache writes no head; forgetting it every other batch leaves every item's
        # head missing or behind, and a small one mixes heads that are current with others.
        forgetful = _build(app, store, "", batch=4, cache=5000, forget_every=2)
        mixed = _build(app, store, "_mix", batch=4, cache=8, forget_every=3)
        kept = _build(app, store, "_one", batch=5000, cache=5000)
        expected = _rows(store, kept)
        with store.transaction() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {mixed.heads.name}")
            assert cursor.fetchone()[0] > 0, "items left the small cache: their heads are written"
            cursor.execute(f"SELECT COUNT(*) FROM {forgetful.heads.name}")
            assert cursor.fetchone()[0] == 0, "nothing left the large cache: no head is written"
        assert _rows(store, forgetful) == expected
        assert {k.removesuffix("_mix"): v for k, v in _rows(store, mixed).items()} == expected


def test_a_runner_caught_up_writes_the_heads_it_held_back(
    database_url: str, tmp_path: Path
) -> None:
    with fresh_url(database_url, tmp_path, "settled") as url, opened(url) as (app, store):
        generate(app, 300, 20, seed=15)
        projection = TemporalProjection()
        runner = Runner(app, store, [projection], batch_size=5000)
        runner.setup()
        runner.catch_up()
        with store.transaction() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {projection.heads.name}")
            written = cursor.fetchone()[0]
            cursor.execute(f"SELECT COUNT(DISTINCT item_id) FROM {projection.entries.name}")
            assert written == cursor.fetchone()[0], "every item's head, once caught up"
        assert not [item for _, item in projection.cache.items() if item.dirty]
