"""Indexes that only make reads faster (`Table.lookups`) reach a store made before them when its
runner starts, without rebuilding the read model they index (issue 13: time travel at size)."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest

from projections.runtime.db import ReadStore
from projections.runtime.layout import fingerprint
from projections.temporal.projection import TemporalProjection
from projections.temporal.tables import ITEM_VERSIONS
from tests.factories import adopt_france_canada, make_canada_pledge
from tests.support.stores import opened, runner_for, signer_in


def _indexes(store: ReadStore, table: str) -> set[str]:
    with store.transaction() as cursor:
        if store.dialect == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", [table]
            )
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = ?",
                [table],
            )
        return {str(row[0]) for row in cursor.fetchall()}


def test_a_lookup_missing_from_an_earlier_store_is_added_without_a_rebuild(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ((lookup, _),) = ITEM_VERSIONS.lookups
    name = f"{ITEM_VERSIONS.name}_{lookup}"
    temporal = TemporalProjection()
    earlier = SimpleNamespace(
        version=temporal.version,
        base_tables=[dataclasses.replace(t, lookups=()) for t in temporal.base_tables],
    )
    with opened(database_url) as (app, store):
        # The layout the release before recorded is the layout of this one.
        assert fingerprint(earlier, store.dialect) == fingerprint(temporal, store.dialect)
        make_canada_pledge(app, adopt_france_canada(app).id)
        runner_for(app, store, signer_in(tmp_path)).catch_up()
        assert name in _indexes(store, ITEM_VERSIONS.name)
        with store.transaction(write=True) as cursor:
            cursor.execute(f"DROP INDEX {name}")  # the store as the release before made it
        with caplog.at_level(logging.WARNING, logger="projections"):
            runner_for(app, store, signer_in(tmp_path)).catch_up()
        assert "rebuilding it from the log" not in caplog.text
        assert name in _indexes(store, ITEM_VERSIONS.name)
