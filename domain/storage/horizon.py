"""Which events a reader may answer: those no open writer can still slip a position under.

Positions follow transaction ids (commit_order.py), so an open writer holding a position below a
committed event E sits in a gap just below E, and its transaction id lies between the ids of the
committed events on either side of that gap. A reader therefore stops at the first gap whose two
sides' ids enclose a transaction its snapshot saw open; gaps without one are for good (a lost
race, a rollback). An open transaction inside a gap holds the reader only if it may still fill
it: it writes events (the recorder says which do) or it ended after the reader's snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Snapshot:
    """`pg_current_snapshot()`: every transaction below `xmin` has ended; `open` were running."""

    xmin: int
    open: tuple[int, ...]

    @classmethod
    def parse(cls, text: str) -> Snapshot:
        """`xmin:xmax:xip,xip,…` as PostgreSQL spells a pg_snapshot."""
        xmin, _, running = text.split(":")
        return cls(int(xmin), tuple(int(x) for x in running.split(",") if x))

    def open_between(self, low: int, high: int) -> list[int]:
        if high <= self.xmin:
            return []
        return [x for x in self.open if low < x < high]


def settled(
    rows: Sequence[tuple[int, int]],
    start: int,
    snapshot: Snapshot,
    floor: Callable[[], int],
    holders: Callable[[list[int]], list[int]],
) -> tuple[int, list[int]]:
    """How many of `rows` ((position, transaction id) in position order, from `start` on) a
    reader may answer, and the open transactions that hold back the next one.

    `floor` answers the transaction id of a committed event before `start` (0 if none); it is
    asked only when a gap opens the page and an open transaction could be in it. `holders`
    answers which of the open transactions inside a gap may still fill it.
    """
    for index, (position, xid) in enumerate(rows):
        if index == 0:
            gap = position > start
            holding = snapshot.open_between(0, xid) if gap else []
            if holding:
                holding = snapshot.open_between(floor(), xid)
        else:
            before, before_xid = rows[index - 1]
            holding = snapshot.open_between(before_xid, xid) if position != before + 1 else []
        if holding:
            holding = holders(holding)
        if holding:
            return index, holding
    return len(rows), []
