"""`history.view` against a tiny reference: replay what was known at `as_of`, entry by entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain.model.history import Entry, view

START = datetime(2026, 1, 1, tzinfo=UTC)
days = st.dates(date(2016, 1, 1), date(2016, 12, 31))


@dataclass(frozen=True)
class Op:
    kind: str  # "event", "correct" or "retract"
    pick: int  # which earlier event a correction or retraction targets
    effective_on: date
    amount: int
    fields: frozenset[str]  # what a correction changes
    minutes: int  # after the previous op


ops = st.builds(
    Op,
    kind=st.sampled_from(["event", "event", "correct", "retract"]),
    pick=st.integers(0, 50),
    effective_on=days,
    amount=st.integers(0, 1000),
    fields=st.frozensets(st.sampled_from(["amount", "effective_on"]), min_size=1),
    minutes=st.integers(0, 3),  # ties happen: several entries in one instant
)


def history(script: list[Op]) -> list[Entry]:
    """Entries the domain could have recorded: no target twice retracted, nothing after a void."""
    entries: list[Entry] = []
    retracted: set[int] = set()
    now = START
    for op in script:
        now += timedelta(minutes=op.minutes)
        version = len(entries) + 1
        events = [e.version for e in entries if e.event_type == "Event"]
        open_events = [v for v in events if v not in retracted]
        kind = "event" if not entries else op.kind
        if kind != "event" and not open_events:
            kind = "event"
        payload: dict[str, Any]
        if kind == "event":
            payload = {"amount": op.amount}
        else:
            target = open_events[op.pick % len(open_events)]
            if kind == "retract":
                retracted.add(target)
                payload = {"target_version": target, "reason": "r"}
            else:
                changes: dict[str, Any] = {"amount": op.amount, "effective_on": op.effective_on}
                payload = {
                    "target_version": target,
                    "changes": {k: v for k, v in changes.items() if k in op.fields},
                    "reason": "r",
                }
        event_type = {"event": "Event", "correct": "Corrected", "retract": "Retracted"}[kind]
        entries.append(
            Entry(version, event_type, now, op.effective_on, "a", "FR", None, None, payload)
        )
        if 1 in retracted:
            break
    return entries


def reference(
    entries: list[Entry], as_of: datetime | None, effective_on: date | None
) -> tuple[list[tuple[int, int, date]], bool]:
    """Replay the entries known at `as_of` into a table of beliefs, then read it on a date."""
    beliefs: dict[int, dict[str, Any]] = {}
    void = False
    for entry in sorted(entries, key=lambda e: e.version):
        if as_of is not None and entry.recorded_at > as_of:
            continue
        p = entry.payload
        if entry.event_type == "Event":
            beliefs[entry.version] = {"amount": p["amount"], "effective_on": entry.effective_on}
        elif entry.event_type == "Corrected":
            beliefs[p["target_version"]].update(p["changes"])
        elif p["target_version"] == 1:
            void = True
        else:
            del beliefs[p["target_version"]]
    rows = [(v, b["amount"], b["effective_on"]) for v, b in sorted(beliefs.items())]
    if effective_on is not None:
        if not rows or rows[0][2] > effective_on:
            return [], void
        rows = [row for row in rows if row[2] <= effective_on]
    return rows, void


@given(
    script=st.lists(ops, min_size=1, max_size=25),
    as_of_minutes=st.none() | st.integers(-1, 80),
    effective_on=st.none() | days,
)
def test_view_matches_the_reference(
    script: list[Op], as_of_minutes: int | None, effective_on: date | None
) -> None:
    entries = history(script)
    as_of = None if as_of_minutes is None else START + timedelta(minutes=as_of_minutes)
    seen = view(entries, as_of=as_of, effective_on=effective_on)
    rows = [(e.version, e.payload["amount"], e.effective_on) for e in seen.entries]
    assert (rows, seen.void) == reference(entries, as_of, effective_on)
    assert {e.event_type for e in seen.entries} <= {"Event"}
    assert seen.exists == bool(rows)


@given(script=st.lists(ops, min_size=1, max_size=25), effective_on=st.none() | days)
def test_the_record_only_grows(script: list[Op], effective_on: date | None) -> None:
    """Looking at a later moment never forgets an event that is still in force."""
    entries = history(script)
    moments = sorted({e.recorded_at for e in entries})
    for earlier, later in pairwise(moments):
        before = {e.version for e in view(entries, as_of=earlier).entries}
        after = {e.version for e in view(entries, as_of=later).entries}
        retracted_between = {
            e.payload["target_version"]
            for e in entries
            if e.event_type == "Retracted" and earlier < e.recorded_at <= later
        }
        assert before - retracted_between <= after
