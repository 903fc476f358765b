"""A rebuild in processes (issue 13): each projection built in a process of its own gives the
very tables the live runner built, every index included (a rebuild builds the indexes only
readers use once, before its swap), and the swap finds every one at the log's head."""

from __future__ import annotations

from pathlib import Path

from bench.workload import generate
from projections.catalog import live_runner, rebuild
from projections.runtime.db import ReadStore, in_memory
from tests.support.readmodels import assert_same_tables, snapshot
from tests.support.stores import fresh_url, opened


def test_projections_rebuilt_in_processes_of_their_own_equal_the_live_ones(
    database_url: str, tmp_path: Path
) -> None:
    with fresh_url(database_url, tmp_path, "apart") as url, opened(url) as (app, store):
        generate(app, 600, 30, seed=16)
        runner = live_runner(app, store)
        runner.setup()
        runner.catch_up()
        live = snapshot(store)
        live_indexes = indexes(store)
        seen: list[tuple[int, int]] = []
        positions = rebuild(
            app,
            store,
            batch_size=50,
            progress=lambda done, position: seen.append((done, position)),
            database_url=url,
            processes=3,
            processes_from=0,
        )
        assert positions == dict.fromkeys(("partnership", "audit", "temporal"), app.position())
        assert_same_tables(live, snapshot(store))
        assert indexes(store) == live_indexes
        assert seen, "a rebuild in processes reports its progress"
        assert seen[-1][1] == app.position(), "progress ends at the log's head"


def indexes(store: ReadStore) -> list[tuple[str, str]]:
    """Every index of the read models, by name, with its definition."""
    with store.transaction() as cursor:
        if store.dialect == "postgres":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND starts_with(tablename, 'rm_')"
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND substr(tbl_name, 1, 3) = 'rm_'"
            )
        return sorted((str(name), str(sql)) for name, sql in cursor.fetchall())


def test_a_memory_store_is_rebuilt_in_its_own_process() -> None:
    assert in_memory("sqlite:///:memory:")
    assert not in_memory("sqlite:////var/lib/roadmap/roadmap.db")
    assert not in_memory("postgresql://postgres@127.0.0.1:5432/test")
