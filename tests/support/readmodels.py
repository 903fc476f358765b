"""The read models compared and waited on: table snapshots, equality with a rebuild, the
projections' positions, a complete audit trail, and where two answers differ."""

from __future__ import annotations

import json
import time
from typing import Any

from domain.application.service import RoadmapLedger
from projections.audit.tables import AUDIT, TREE_HEADS
from projections.catalog import LIVE_TABLES, rebuild
from projections.runtime.db import ReadStore
from projections.runtime.tables import TRACKING, from_db
from projections.temporal.tables import HEADS

#: The read-model tables compared with a rebuild: all but the signed heads, the tracking and
#: the temporal projection's item heads (its memory between batches, written when it is
#: convenient; tests/projections/temporal/test_heads.py holds it to the same rows).
COMPARED = tuple(t for t in LIVE_TABLES if t not in (TREE_HEADS, TRACKING, HEADS))
PROJECTION_NAMES = ("partnership", "audit", "temporal")

Snapshot = dict[str, list[tuple[Any, ...]]]


def _sort_key(row: tuple[Any, ...]) -> str:
    return json.dumps(row, sort_keys=True, default=repr)


def snapshot(store: ReadStore) -> Snapshot:
    """Every compared table as a sorted list of plain rows."""
    found: Snapshot = {}
    with store.transaction() as cursor:
        for table in COMPARED:
            cursor.execute(f"SELECT {', '.join(table.column_names)} FROM {table.name}")
            rows = [
                tuple(
                    from_db(kind, value)
                    for (_, kind), value in zip(table.columns, row, strict=True)
                )
                for row in cursor.fetchall()
            ]
            found[table.name] = sorted(rows, key=_sort_key)
    return found


def assert_same_tables(live: Snapshot, rebuilt: Snapshot) -> None:
    assert live.keys() == rebuilt.keys()
    for name in live:
        if live[name] == rebuilt[name]:
            continue
        missing = [r for r in rebuilt[name] if r not in live[name]]
        extra = [r for r in live[name] if r not in rebuilt[name]]
        msg = (
            f"{name}: {len(live[name])} live rows, {len(rebuilt[name])} rebuilt; "
            f"live lacks {missing[:3]}; live has in excess {extra[:3]}"
        )
        raise AssertionError(msg)


def assert_equals_rebuild(app: RoadmapLedger, store: ReadStore) -> Snapshot:
    """The read models, as they are, equal row for row the same rebuilt from zero."""
    live = snapshot(store)
    positions = rebuild(app, store)
    assert set(positions.values()) == {app.position()}, positions
    assert_same_tables(live, snapshot(store))
    return live


def positions(store: ReadStore) -> dict[str, int]:
    with store.transaction() as cursor:
        cursor.execute(f"SELECT name, position FROM {TRACKING.name}")
        return {str(name): int(position) for name, position in cursor.fetchall()}


def wait_until_projected(app: RoadmapLedger, store: ReadStore, timeout: float = 60) -> None:
    """Polls until every projection reflects the log's head as it is now."""
    target = app.position()
    deadline = time.monotonic() + timeout
    while True:
        reached = positions(store)
        if all(reached.get(name, 0) >= target for name in PROJECTION_NAMES):
            return
        if time.monotonic() > deadline:
            msg = f"projections at {reached} did not reach {target} in {timeout} s"
            raise AssertionError(msg)
        time.sleep(0.05)


def assert_audit_complete(app: RoadmapLedger, store: ReadStore) -> None:
    """One audit row per event, in log order, with leaf indexes 0, 1, 2, … and no gap."""
    events = [n.id for n in app.notifications()]
    with store.transaction() as cursor:
        cursor.execute(f"SELECT position, leaf_index FROM {AUDIT.name} ORDER BY position")
        rows = [(int(p), int(i)) for p, i in cursor.fetchall()]
    assert [p for p, _ in rows] == events
    assert [i for _, i in rows] == list(range(len(events)))


def differences(actual: Any, expected: Any, path: str = "") -> list[str]:
    """Where two answers differ, item by item (lists of items are matched by id)."""
    if isinstance(actual, dict) and isinstance(expected, dict):
        found: list[str] = []
        for key in sorted(actual.keys() | expected.keys()):
            if key not in actual or key not in expected:
                found.append(f"{path}.{key}: only in {'actual' if key in actual else 'expected'}")
            else:
                found += differences(actual[key], expected[key], f"{path}.{key}")
        return found
    if (
        isinstance(actual, list)
        and isinstance(expected, list)
        and all(isinstance(i, dict) and "id" in i for i in [*actual, *expected])
    ):
        mine = {i["id"]: i for i in actual}
        theirs = {i["id"]: i for i in expected}
        if list(mine) != list(theirs):
            return [f"{path}: ids {list(mine)} != {list(theirs)}"]
        return [d for key in mine for d in differences(mine[key], theirs[key], f"{path}[{key}]")]
    return [] if actual == expected else [f"{path}: {actual!r} != {expected!r}"]
