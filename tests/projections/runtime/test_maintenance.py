"""After a long catch-up the runner vacuums the read models (issue 13: time travel at size):
closing a segment leaves a dead row version behind, and time travel visited them all."""

from __future__ import annotations

import time
from pathlib import Path

from projections.runtime.db import ReadStore
from projections.temporal.tables import SEGMENTS
from tests.factories import adopt_france_canada, make_canada_pledge
from tests.support.stores import opened, runner_for, signer_in


def _vacuums(store: ReadStore, table: str) -> int:
    """How often PostgreSQL vacuumed `table` by hand (its statistics arrive within a moment)."""
    with store.transaction() as cursor:
        cursor.execute(
            "SELECT vacuum_count FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema() AND relname = ?",
            [table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row is not None else 0


def _eventually_vacuumed(store: ReadStore, table: str) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if _vacuums(store, table) > 0:
            return True
        time.sleep(0.1)
    return False


def test_a_long_catch_up_vacuums_a_short_one_does_not(database_url: str, tmp_path: Path) -> None:
    with opened(database_url) as (app, store):
        roadmap = adopt_france_canada(app).id
        make_canada_pledge(app, roadmap)
        runner = runner_for(app, store, signer_in(tmp_path))
        runner.analyse_every = 1_000
        assert runner.catch_up() > 0
        if store.dialect == "postgres":
            time.sleep(0.5)
            assert _vacuums(store, SEGMENTS.name) == 0  # a live batch: autovacuum's work
        runner.analyse_every = 3
        for _ in range(3):
            make_canada_pledge(app, roadmap)
        assert runner.catch_up() >= 3
        if store.dialect == "postgres":
            assert _eventually_vacuumed(store, SEGMENTS.name)
