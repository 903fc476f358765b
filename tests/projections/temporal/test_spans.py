"""An item's spans (its state on every date) against folding, for each date, what is in effect."""

from __future__ import annotations

from datetime import date
from functools import reduce
from typing import Any, cast

from hypothesis import given
from hypothesis import strategies as st

from domain.model.history import Entry, view
from projections.temporal.projection import spans
from tests.model.test_history_view import history, ops


class Amounts:
    """A state that is every amount in effect, in record order: a misplaced entry shows."""

    @classmethod
    def evolve(cls, state: Any, entry: Entry) -> Any:
        return (*(state or ()), (entry.version, entry.payload["amount"]))


class Parity(Amounts):
    """A state many dates share: adjacent spans merge."""

    @classmethod
    def evolve(cls, state: Any, entry: Entry) -> Any:
        return ((state or 0) + entry.payload["amount"]) % 2


Span = tuple[date, date | None, Any, bool]


def per_date(cls: type[Amounts], entries: list[Entry]) -> list[Span]:
    """The reference: every date an entry in force takes effect, folded from scratch (as
    `Item.fold` folds: each entry evolves the state from None)."""
    seen = view(entries)
    if not seen.exists:
        return []
    in_force = seen.entries
    created_on = in_force[0].effective_on
    dates = sorted({created_on} | {e.effective_on for e in in_force if e.effective_on > created_on})
    found: list[Span] = []
    for n, day in enumerate(dates):
        state = reduce(cls.evolve, [e for e in in_force if e.effective_on <= day], None)
        following = dates[n + 1] if n + 1 < len(dates) else None
        if found and found[-1][2] == state:
            found[-1] = (found[-1][0], following, state, seen.void)
        else:
            found.append((day, following, state, seen.void))
    return found


@given(script=st.lists(ops, min_size=1, max_size=40), cls=st.sampled_from([Amounts, Parity]))
def test_spans_equal_a_fold_for_every_date(script: list[Any], cls: type[Amounts]) -> None:
    entries = history(script)
    found = [
        (s.effective_from, s.effective_to, s.state, s.void) for s in spans(cast(Any, cls), entries)
    ]
    assert found == per_date(cls, entries)
