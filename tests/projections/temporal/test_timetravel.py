"""Time travel (issue 5): the bitemporal segments answer what a replay of the log answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.application.running import Meta
from domain.model.consultation import Consultation
from domain.model.kinds import COLLECTIONS
from domain.model.pledge import Pledge
from domain.model.public import item_public
from domain.model.values import ConsultationKind
from projections.temporal.timetravel import item_at, state_at
from tests.factories import CA_OFFICIAL, FR_OFFICIAL, adopt_france_canada, make_canada_pledge
from tests.support.readmodels import differences
from tests.support.scenario import KNOWN_DAYS, PROPERTY, Scenario, project_some, today
from tests.support.stores import fresh_url, opened, runner_for

#: psycopg's pool threads draw from `random` (jitter) while an example draws its data.
pytestmark = pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")

PLEDGED_ON = date(2016, 8, 26)
ADOPTED_ON = date(2016, 10, 13)


@PROPERTY
@given(data=st.data())
def test_state_at_any_moment_and_date_equals_the_replay(
    database_url: str, tmp_path: Path, data: st.DataObject
) -> None:
    with (
        fresh_url(database_url, tmp_path, uuid4().hex) as url,
        opened(url) as (app, store),
    ):
        runner = runner_for(app, store)
        scenario = Scenario(app, data.draw)
        moments = [datetime.now(UTC)]  # before anything was recorded
        scenario.start()
        for _ in range(data.draw(st.integers(10, 35), label="commands")):
            moments.append(datetime.now(UTC))
            scenario.step()
            runner = project_some(runner, data.draw, lambda: runner_for(app, store))
        moments.append(datetime.now(UTC))
        runner.catch_up()

        events: list[Any] = [app.mapper.to_domain_event(n) for n in app.notifications()]
        recorded = [e.timestamp for e in events]
        days = sorted(
            {*KNOWN_DAYS} | {e.effective_on + timedelta(days=d) for e in events for d in (-1, 0, 1)}
        )
        as_ofs = data.draw(
            st.lists(st.sampled_from([*moments, *recorded]), min_size=1, max_size=4),
            label="as_of",
        )
        position = app.position()
        for as_of in [None, *as_ofs]:
            on = data.draw(
                st.lists(st.sampled_from(days), min_size=1, max_size=2), label="effective_on"
            )
            for effective_on in [None, *on]:
                for roadmap_id in scenario.ids["roadmaps"]:
                    expected = app.get_state(roadmap_id, as_of=as_of, effective_on=effective_on)
                    actual = state_at(
                        store,
                        str(roadmap_id),
                        as_of=as_of,
                        effective_on=effective_on,
                        position=position,
                    )
                    assert actual == expected, (as_of, effective_on, differences(actual, expected))


#: Commands on one item of each kind: its changes, corrections and retractions.
ONE_ITEM = {
    kind: (*(change,) * 3, *("correct",) * 4, "retract")
    for kind, change in (
        ("pledges", "pledge_change"),
        ("consultations", "consultation_change"),
        ("exchanges", "exchange_change"),
        ("reform-proposals", "reform_change"),
    )
}


@PROPERTY
@given(data=st.data())
def test_one_item_at_any_moment_and_date_equals_the_replay(
    database_url: str, tmp_path: Path, data: st.DataObject
) -> None:
    """One item with a long history: many changes, corrections (of when it took effect too)
    and retractions, against `domain.model.public.item_public` at every moment and on every date."""
    with (
        fresh_url(database_url, tmp_path, uuid4().hex) as url,
        opened(url) as (app, store),
    ):
        runner = runner_for(app, store)
        collection = data.draw(st.sampled_from(sorted(ONE_ITEM)), label="kind")
        scenario = Scenario(app, data.draw, limit=1, operations=ONE_ITEM[collection])
        scenario.start()
        moments = []
        for _ in range(data.draw(st.integers(10, 30), label="commands")):
            scenario.step()
            runner = project_some(runner, data.draw, lambda: runner_for(app, store))
            moments.append(datetime.now(UTC))
        runner.catch_up()

        cls = COLLECTIONS[collection]
        for item_id in scenario.ids[collection]:
            entries = app.get_item(cls, item_id).entries
            days = sorted({e.effective_on + timedelta(days=d) for e in entries for d in (-1, 0)})
            for as_of in [None, *moments, *(e.recorded_at for e in entries)]:
                for effective_on in [None, *days]:
                    expected = item_public(
                        cls, item_id, entries, as_of=as_of, effective_on=effective_on
                    )
                    actual = item_at(
                        store, str(item_id), kind=collection, as_of=as_of, effective_on=effective_on
                    )
                    assert actual == expected, (
                        as_of,
                        effective_on,
                        differences(actual, expected),
                    )


# --- the France-Canada worked examples ---------------------------------------------------------


def test_canada_pledge_of_august_is_in_effect_before_the_roadmap_of_october(
    database_url: str,
) -> None:
    with opened(database_url) as (app, store):
        before_anything = datetime.now(UTC)
        roadmap = adopt_france_canada(app, meta=Meta(effective_on=ADOPTED_ON))
        pledge = make_canada_pledge(app, roadmap.id, meta=Meta(effective_on=PLEDGED_ON))
        runner_for(app, store).catch_up()
        position = app.position()

        in_september = state_at(
            store,
            str(roadmap.id),
            as_of=None,
            effective_on=date(2016, 9, 1),
            position=position,
        )
        assert in_september is not None
        assert in_september["roadmap"]["adopted_on"] == "2016-10-13"
        assert [p["id"] for p in in_september["pledges"]] == [str(pledge.id)]
        assert in_september["pledges"][0]["effective_on"] == "2016-08-26"
        assert in_september == app.get_state(roadmap.id, effective_on=date(2016, 9, 1))

        the_day_before = state_at(
            store, str(roadmap.id), as_of=None, effective_on=date(2016, 8, 25), position=position
        )
        assert the_day_before is not None
        assert the_day_before["pledges"] == []

        assert (
            state_at(store, str(roadmap.id), as_of=before_anything, effective_on=None, position=1)
            is None
        )
        assert app.get_state(roadmap.id, as_of=before_anything) is None
        assert (
            item_at(store, str(pledge.id), kind="pledges", as_of=before_anything, effective_on=None)
            is None
        )


def test_a_correction_recorded_after_as_of_is_not_visible_at_that_moment(
    database_url: str,
) -> None:
    with opened(database_url) as (app, store):
        roadmap = adopt_france_canada(app)
        pledge = make_canada_pledge(app, roadmap.id, meta=Meta(effective_on=PLEDGED_ON))
        believed = datetime.now(UTC)
        app.correct(
            CA_OFFICIAL,
            Pledge,
            pledge.id,
            target_version=1,
            changes={
                "quantity": {"amount": "750", "unit": "personnel"},
                "effective_on": "2016-09-02",
            },
            reason="the cabinet decision said 750",
        )
        runner_for(app, store).catch_up()

        def amount(as_of: datetime | None, effective_on: date | None) -> str | None:
            found = item_at(
                store, str(pledge.id), kind="pledges", as_of=as_of, effective_on=effective_on
            )
            return None if found is None else str(found["quantity"]["amount"])

        assert amount(believed, None) == "600"
        assert amount(None, None) == "750"
        assert amount(believed, date(2016, 9, 1)) == "600"  # then: in effect since 26 August
        assert amount(None, date(2016, 9, 1)) is None  # now: in effect from 2 September
        assert amount(None, date(2016, 9, 2)) == "750"
        for as_of in (believed, None):
            for effective_on in (None, date(2016, 9, 1), date(2016, 9, 2)):
                expected = app.get_state(roadmap.id, as_of=as_of, effective_on=effective_on)
                actual = state_at(
                    store,
                    str(roadmap.id),
                    as_of=as_of,
                    effective_on=effective_on,
                    position=app.position(),
                )
                assert actual == expected, (as_of, effective_on)


def test_correcting_when_an_item_took_effect_moves_every_segment_of_it(
    database_url: str,
) -> None:
    """A consultation scheduled and held today, then found to have been scheduled in August
    2016: the record now, in effect today, says it took effect in August 2016 — like a replay."""
    with opened(database_url) as (app, store):
        roadmap = adopt_france_canada(app)
        consultation = app.schedule_consultation(
            FR_OFFICIAL,
            roadmap.id,
            kind=ConsultationKind.MINISTERIAL_CONFERENCE,
            title="Peacekeeping in francophone environments",
            host_party="FR",
            location="Paris",
            starts_on=date(2016, 10, 26),
            ends_on=date(2016, 10, 27),
            priorities=["operations-support"],
        )
        app.hold_consultation(FR_OFFICIAL, consultation.id, summary="Ministers met.")
        app.correct(
            FR_OFFICIAL,
            Consultation,
            consultation.id,
            target_version=1,
            changes={"effective_on": "2016-08-15"},
            reason="scheduled in August",
        )
        runner_for(app, store).catch_up()

        replayed = app.get_public(Consultation, consultation.id)
        assert replayed["effective_on"] == "2016-08-15"
        for effective_on in (None, today(), date(2016, 9, 1)):
            found = item_at(
                store,
                str(consultation.id),
                kind="consultations",
                as_of=None,
                effective_on=effective_on,
            )
            assert found is not None
            assert found["effective_on"] == "2016-08-15", effective_on
        actual = state_at(store, str(roadmap.id), as_of=None, effective_on=None, position=1)
        expected = app.get_state(roadmap.id)
        assert expected is not None
        expected["position"] = 1
        assert actual == expected, differences(actual, expected)
