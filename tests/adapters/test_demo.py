"""The demo records the seed's facts once: re-runs, even after keys expire, add nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.adapters.demo import CA_OFFICIAL, FR_OFFICIAL, ROADMAP_ID, load_demo
from domain.application.service import RoadmapLedger
from domain.model.assessment import Assessment
from domain.model.consultation import Consultation
from domain.model.texts import Text

PRIORITY_CODES = [
    "preventive-diplomacy",
    "operations-support",
    "development-cooperation",
    "civilians-and-women",
    "military-performance",
]


def _one(items: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    found = [i for i in items if all(i[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, items)
    return found[0]


def test_demo_records_the_seed_facts(app: RoadmapLedger) -> None:
    report = load_demo(app)

    assert report.roadmap_id == ROADMAP_ID
    assert len(report.recorded) == 8
    assert not report.already_loaded
    state = app.get_state(report.roadmap_id)
    assert state is not None
    roadmap = state["roadmap"]
    assert roadmap["title"] == {
        "en": "France-Canada Peacekeeping Roadmap",
        "fr": "Feuille de route France-Canada sur le maintien de la paix",
        "lang": "en",
    }
    assert roadmap["adopted_on"] == "2016-10-13"
    assert roadmap["parties"] == ["FR", "CA"]
    assert [p["code"] for p in roadmap["priorities"]] == PRIORITY_CODES
    assert roadmap["summary"]

    (pledge,) = state["pledges"]
    assert pledge["party"] == "CA"
    assert pledge["kind"] == "personnel"
    assert pledge["quantity"] == {"amount": "600", "unit": "personnel"}
    assert pledge["effective_on"] == "2016-08-26"

    paris = _one(state["consultations"], kind="ministerial-conference")
    assert (paris["host_party"], paris["location"]) == (
        "FR",
        {"en": "Paris", "fr": "Paris", "lang": "en"},
    )
    assert (paris["starts_on"], paris["ends_on"]) == ("2016-10-26", "2016-10-27")
    assert paris["invited_co_chairs"] == ["CA"]
    invitation = app.get_item(Consultation, report.ids["paris-conference"]).entries[-1]
    assert (invitation.event_type, invitation.actor_party) == ("CoChairInvited", "FR")

    bilateral = _one(state["consultations"], kind="bilateral")
    assert bilateral["status"] == "scheduled"

    diplomats = _one(state["exchanges"], category="diplomat")
    assert (diplomats["from_party"], diplomats["to_party"]) == ("FR", "CA")
    experts = _one(state["exchanges"], category="military-expert")
    assert (experts["from_party"], experts["to_party"]) == ("CA", "FR")
    assert {diplomats["status"], experts["status"]} == {"proposed"}

    (assessment,) = state["assessments"]
    assert (assessment["from_party"], assessment["to_party"]) == ("FR", "CA")
    assert (assessment["status"], assessment["marking"]) == ("shared", "unclassified")
    shared = app.get_item(Assessment, report.ids["assessment-mali"]).entries[0]
    assert shared.note is not None
    assert str(shared.note).startswith("Illustrative")

    events = [vars(app.mapper.to_domain_event(n)) for n in app.notifications()]
    assert len(events) == 8
    # Every text in both languages; a French text made here is said to be so in the note.
    with_texts = 0
    for event in events:
        texts = [v for k, v in event.items() if isinstance(v, Text) and k != "note"]
        assert all(t.en and t.fr for t in texts), event
        if texts:
            with_texts += 1
            assert event["note"].fr.endswith("non la version française officielle."), event
    assert with_texts == 7  # all but the co-chair invitation, which names a party only
    assert all(p["title"]["fr"] for p in roadmap["priorities"])
    assert {e["effective_on"].year for e in events} == {2016}
    assert {e["actor"] for e in events} == {FR_OFFICIAL.subject, CA_OFFICIAL.subject}


def test_canadas_pledge_is_in_effect_before_the_roadmap(app: RoadmapLedger) -> None:
    load_demo(app)

    before = app.get_state(ROADMAP_ID, effective_on=date(2016, 9, 1))

    assert before is not None
    assert [p["quantity"]["amount"] for p in before["pledges"]] == ["600"]
    assert before["consultations"] == []
    assert before["exchanges"] == []


def test_a_second_run_records_nothing(app: RoadmapLedger) -> None:
    first = load_demo(app)
    position = app.position()

    second = load_demo(app)

    assert second.already_loaded
    assert second.recorded == ()
    assert second.ids == first.ids
    assert app.position() == position


def test_a_run_after_the_keys_expired_records_nothing(app: RoadmapLedger) -> None:
    load_demo(app)
    position = app.position()
    app.ledger_recorder.purge_idempotency(datetime.now(UTC) + timedelta(days=1))

    again = load_demo(app)

    assert again.already_loaded
    assert app.position() == position


def test_an_interrupted_run_is_completed_by_the_next(
    app: RoadmapLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ConnectionError("lost the database")

    with monkeypatch.context() as patch:
        patch.setattr(app, "propose_exchange", broken)
        with pytest.raises(ConnectionError):
            load_demo(app)
    assert app.position() == 4  # roadmap, pledge, conference, invitation

    resumed = load_demo(app)

    assert len(resumed.recorded) == 4
    assert app.position() == 8
    assert load_demo(app).already_loaded
