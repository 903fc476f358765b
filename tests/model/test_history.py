"""`history.view`: the record as of a moment, in effect on a date, corrections applied."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from domain.model.history import Entry, view

T = [datetime(2026, 1, day, 12, tzinfo=UTC) for day in range(1, 11)]  # T[1] = 2 January


def entry(
    version: int,
    event_type: str,
    recorded_at: datetime,
    effective_on: date,
    **payload: Any,
) -> Entry:
    return Entry(
        version=version,
        event_type=event_type,
        recorded_at=recorded_at,
        effective_on=effective_on,
        actor="ca-official",
        actor_party="CA",
        authority=None,
        note=None,
        payload=payload,
    )


def pledge_history() -> list[Entry]:
    """Made (in effect 2016-08-26, recorded T1), progress (2016-12-01, T2),
    a correction of the progress (T3), a later progress (2017-03-01, T4)."""
    return [
        entry(1, "Made", T[1], date(2016, 8, 26), amount=600),
        entry(2, "ProgressReported", T[2], date(2016, 12, 1), delivered=100),
        entry(
            3,
            "Corrected",
            T[3],
            date(2026, 1, 3),
            target_version=2,
            changes={"delivered": 150, "effective_on": date(2016, 11, 1)},
            reason="typo",
        ),
        entry(4, "ProgressReported", T[4], date(2017, 3, 1), delivered=300),
    ]


def versions(entries: list[Entry]) -> list[int]:
    return [e.version for e in entries]


def test_the_whole_record_applies_corrections_in_place() -> None:
    seen = view(pledge_history())
    assert versions(seen.entries) == [1, 2, 4]
    corrected = seen.entries[1]
    assert corrected.payload == {"delivered": 150}
    assert corrected.effective_on == date(2016, 11, 1)
    assert corrected.recorded_at == T[2]  # keeps its place and its recording time
    assert not seen.void
    assert seen.exists


def test_the_original_event_is_untouched() -> None:
    history = pledge_history()
    view(history)
    assert history[1].payload == {"delivered": 100}
    assert history[1].effective_on == date(2016, 12, 1)


def test_as_of_before_the_correction_shows_the_original() -> None:
    seen = view(pledge_history(), as_of=T[2])
    assert versions(seen.entries) == [1, 2]
    assert seen.entries[1].payload == {"delivered": 100}
    assert seen.entries[1].effective_on == date(2016, 12, 1)


def test_as_of_is_inclusive() -> None:
    assert versions(view(pledge_history(), as_of=T[1]).entries) == [1]
    assert versions(view(pledge_history(), as_of=T[4]).entries) == [1, 2, 4]


def test_as_of_before_anything_was_recorded_is_empty() -> None:
    seen = view(pledge_history(), as_of=T[0])
    assert seen.entries == []
    assert not seen.exists
    assert not seen.void


def test_effective_on_filters_by_valid_time() -> None:
    history = pledge_history()
    assert versions(view(history, effective_on=date(2016, 8, 26)).entries) == [1]
    # the corrected progress took effect on 1 November, not 1 December
    assert versions(view(history, effective_on=date(2016, 11, 15)).entries) == [1, 2]
    assert versions(view(history, effective_on=date(2017, 3, 1)).entries) == [1, 2, 4]


def test_what_we_believed_then_about_a_date() -> None:
    # as recorded at T2 the progress took effect on 1 December: not yet on 15 November
    seen = view(pledge_history(), as_of=T[2], effective_on=date(2016, 11, 15))
    assert versions(seen.entries) == [1]


def test_an_item_is_in_effect_only_from_its_creation() -> None:
    history = [
        entry(1, "Made", T[1], date(2016, 10, 1)),
        entry(2, "ProgressReported", T[2], date(2016, 9, 1), delivered=1),  # backdated earlier
    ]
    assert view(history, effective_on=date(2016, 9, 15)).entries == []
    # once the creation is in effect, the earlier-dated event applies too
    assert versions(view(history, effective_on=date(2016, 10, 1)).entries) == [1, 2]


def test_entries_keep_stream_order_not_date_order() -> None:
    history = [
        entry(1, "Made", T[1], date(2016, 8, 1)),
        entry(2, "Revised", T[2], date(2016, 9, 30), title="B"),
        entry(3, "Revised", T[3], date(2016, 9, 1), title="C"),
    ]
    assert versions(view(history).entries) == [1, 2, 3]


def test_a_retracted_event_drops_out_from_the_retraction_on() -> None:
    history = [
        *pledge_history(),
        entry(5, "Retracted", T[5], date(2026, 1, 6), target_version=4, reason="duplicate"),
    ]
    assert versions(view(history).entries) == [1, 2]
    assert versions(view(history, as_of=T[4]).entries) == [1, 2, 4]
    assert not view(history).void


def test_retracting_the_creation_voids_the_item_but_keeps_its_record() -> None:
    history = [
        *pledge_history(),
        entry(5, "Retracted", T[5], date(2026, 1, 6), target_version=1, reason="never made"),
    ]
    seen = view(history)
    assert seen.void
    assert versions(seen.entries) == [1, 2, 4]
    assert seen.exists
    before = view(history, as_of=T[4])
    assert not before.void
    assert view(history, effective_on=date(2016, 8, 1)).void


def test_later_corrections_override_earlier_ones_field_by_field() -> None:
    history = [
        entry(1, "Made", T[1], date(2016, 8, 26), title="A", amount=600),
        entry(2, "Corrected", T[2], date(2026, 1, 2), target_version=1, changes={"title": "B"}),
        entry(
            3,
            "Corrected",
            T[3],
            date(2026, 1, 3),
            target_version=1,
            changes={"title": "C", "amount": 500},
        ),
        entry(4, "Corrected", T[4], date(2026, 1, 4), target_version=1, changes={"amount": 450}),
    ]
    assert view(history).entries[0].payload == {"title": "C", "amount": 450}
    assert view(history, as_of=T[2]).entries[0].payload == {"title": "B", "amount": 600}
    assert view(history, as_of=T[3]).entries[0].payload == {"title": "C", "amount": 500}


def test_correcting_the_creation_date_moves_the_whole_item() -> None:
    history = [
        entry(1, "Made", T[1], date(2016, 10, 1)),
        entry(
            2,
            "Corrected",
            T[2],
            date(2026, 1, 2),
            target_version=1,
            changes={"effective_on": date(2016, 8, 26)},
        ),
    ]
    assert versions(view(history, effective_on=date(2016, 9, 1)).entries) == [1]
    assert view(history, as_of=T[1], effective_on=date(2016, 9, 1)).entries == []


def test_corrections_are_not_in_effect_themselves() -> None:
    seen = view(pledge_history(), effective_on=date(2030, 1, 1))
    assert {e.event_type for e in seen.entries} == {"Made", "ProgressReported"}


def test_no_entries() -> None:
    seen = view([])
    assert seen.entries == []
    assert not seen.exists
    assert not seen.void
