"""Which events a reader may answer, from positions, transaction ids and the open ones."""

from __future__ import annotations

from domain.storage.horizon import Snapshot, settled


def no_floor() -> int:
    raise AssertionError("the floor is asked only for a gap at the start of the page")


def every(xids: list[int]) -> list[int]:
    return xids


def test_a_snapshot_reads_as_postgresql_spells_it() -> None:
    assert Snapshot.parse("10:20:10,14") == Snapshot(10, (10, 14))
    assert Snapshot.parse("10:10:") == Snapshot(10, ())


def test_adjacent_positions_are_answered_whatever_is_open() -> None:
    snapshot = Snapshot(5, (5, 6, 7))
    assert settled([(1, 8), (2, 9), (3, 12)], 1, snapshot, no_floor, every) == (3, [])


def test_a_gap_stops_the_page_only_if_an_open_transaction_falls_inside_it() -> None:
    snapshot = Snapshot(20, (20, 31))
    # 3 is missing: written by a transaction between 12 and 40, and 20 and 31 are open there.
    assert settled([(1, 10), (2, 12), (4, 40), (5, 41)], 1, snapshot, no_floor, every) == (
        2,
        [20, 31],
    )
    # The same gap with nothing open inside it was rolled back for good.
    assert settled([(1, 10), (2, 22), (4, 30), (5, 41)], 1, snapshot, no_floor, every) == (4, [])


def test_other_work_open_inside_a_gap_does_not_hold_the_reader() -> None:
    snapshot = Snapshot(20, (20, 31))
    rows = [(1, 10), (2, 12), (4, 40), (5, 41)]
    assert settled(rows, 1, snapshot, no_floor, lambda xids: [x for x in xids if x == 31]) == (
        2,
        [31],
    )
    assert settled(rows, 1, snapshot, no_floor, lambda xids: []) == (4, [])


def test_a_gap_at_the_start_asks_for_the_event_before_it() -> None:
    snapshot = Snapshot(20, (20,))
    assert settled([(7, 30)], 5, snapshot, lambda: 25, every) == (1, [])
    assert settled([(7, 30)], 5, snapshot, lambda: 15, every) == (0, [20])
    assert settled([(5, 30)], 5, snapshot, no_floor, every) == (1, [])
