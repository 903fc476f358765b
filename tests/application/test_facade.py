"""Every command of the facade, end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from decimal import Decimal
from threading import Barrier
from uuid import UUID, uuid4

import pytest

from domain.application.running import CommandResult, Meta
from domain.application.service import RoadmapLedger
from domain.model.consultation import Consultation
from domain.model.decision import Decision
from domain.model.errors import (
    AlreadyRecordedError,
    ConcurrencyConflictError,
    DeliveredDecreasedError,
    DomainError,
    IdempotencyKeyReusedError,
    InvalidCorrectionError,
    ItemRetractedError,
    NotFoundError,
    NotYourPartyError,
    PledgeAlreadyWithdrawnError,
    StaleVersionError,
    UnknownPriorityError,
)
from domain.model.exchange import Exchange
from domain.model.pledge import Pledge
from domain.model.reform import ReformProposal
from domain.model.roadmap import Roadmap
from domain.model.texts import english
from domain.model.values import (
    ConsultationKind,
    ExchangeCategory,
    PledgeKind,
    Quantity,
    ReformResult,
)
from tests.factories import (
    ADMIN,
    CA_OFFICIAL,
    CANADA_PLEDGE_ON,
    FR_OFFICIAL,
    FR_OFFICIAL_2,
    PRIORITIES,
    RECORDED_AT,
    Clock,
    adopt_france_canada,
    event_count,
    make_canada_pledge,
    personnel,
)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(database_url: str, clock: Clock) -> Iterator[RoadmapLedger]:
    ledger = RoadmapLedger(database_url, clock=clock)
    yield ledger
    ledger.close()


def schedule(app: RoadmapLedger, roadmap_id: UUID) -> CommandResult:
    return app.schedule_consultation(
        FR_OFFICIAL,
        roadmap_id,
        kind=ConsultationKind.MINISTERIAL_CONFERENCE,
        title="Paris ministerial conference on peacekeeping",
        host_party="FR",
        location="Paris",
        starts_on=date(2016, 10, 26),
        ends_on=date(2016, 10, 27),
        priorities=["civilians-and-women"],
    )


def propose_exchange(app: RoadmapLedger, roadmap_id: UUID) -> CommandResult:
    return app.propose_exchange(
        FR_OFFICIAL,
        roadmap_id,
        category=ExchangeCategory.CIVILIAN_EXPERT,
        from_party="FR",
        to_party="CA",
        participants=3,
        starts_on=date(2017, 1, 9),
        ends_on=date(2017, 3, 31),
        title="Police experts for French-speaking missions",
    )


def propose_reform(app: RoadmapLedger, roadmap_id: UUID) -> CommandResult:
    return app.propose_reform(
        FR_OFFICIAL,
        roadmap_id,
        title="Training in French for peacekeepers",
        forum="C-34",
        summary="More French-speaking personnel in UN missions",
        priorities=["military-performance"],
    )


class Steps:
    """Runs commands and checks each answer: the item's new version, created or not."""

    def __init__(self, app: RoadmapLedger) -> None:
        self.app = app
        self.results: list[CommandResult] = []

    def ok(self, result: CommandResult, version: int, *, created: bool = False) -> UUID:
        assert (result.version, result.created, result.replayed) == (version, created, False)
        assert result.position == self.app.position()
        self.results.append(result)
        return result.id


@pytest.fixture
def steps(app: RoadmapLedger) -> Steps:
    return Steps(app)


def test_pledge_commands(app: RoadmapLedger, steps: Steps) -> None:
    roadmap = steps.ok(adopt_france_canada(app), 1, created=True)
    pledge = steps.ok(make_canada_pledge(app, roadmap), 1, created=True)
    steps.ok(
        app.revise_pledge(CA_OFFICIAL, pledge, quantity=personnel(750), title=None, reason="r"), 2
    )
    steps.ok(app.report_pledge_progress(CA_OFFICIAL, pledge, delivered=personnel(300)), 3)
    steps.ok(app.fulfil_pledge(CA_OFFICIAL, pledge, reason="closed early"), 4)
    funding = app.make_pledge(
        FR_OFFICIAL,
        roadmap,
        party="FR",
        title="Fund training centres",
        kind=PledgeKind.FUNDING,
        quantity=Quantity(Decimal("2500000.00"), "EUR"),
        priorities=["military-performance"],
        beneficiary="Francophone training centres",
        due_on=date(2018, 12, 31),
    )
    steps.ok(funding, 1, created=True)
    steps.ok(app.withdraw_pledge(FR_OFFICIAL, funding.id, reason="budget"), 2)
    steps.ok(
        app.correct(
            CA_OFFICIAL,
            Pledge,
            pledge,
            target_version=3,
            changes={"delivered": {"amount": "280", "unit": "personnel"}},
            reason="miscounted",
        ),
        5,
    )
    steps.ok(app.retract(FR_OFFICIAL, Pledge, funding.id, target_version=1, reason="r"), 3)

    public = app.get_public(Pledge, pledge)
    assert (public["status"], public["version"], public["void"]) == ("fulfilled", 5, False)
    assert public["delivered"] == {"amount": "280", "unit": "personnel"}
    assert public["quantity"] == {"amount": "750", "unit": "personnel"}
    assert app.get_item_at(Pledge, pledge, 1).state.quantity == personnel(600)
    assert app.get_item_at(Pledge, pledge, 2).state.quantity == personnel(750)
    with pytest.raises(NotFoundError):
        app.get_item_at(Exchange, pledge, 1)
    withdrawn = app.get_public(Pledge, funding.id)
    assert (withdrawn["status"], withdrawn["void"]) == ("withdrawn", True)
    assert withdrawn["quantity"] == {"amount": "2500000.00", "unit": "EUR"}
    state = app.get_state(roadmap)
    assert state is not None
    assert [p["id"] for p in state["pledges"]] == [str(pledge)]  # the retracted one is gone
    assert state["position"] == app.position()


def test_consultation_and_decision_commands(app: RoadmapLedger, steps: Steps) -> None:
    roadmap = steps.ok(adopt_france_canada(app), 1, created=True)
    paris = steps.ok(schedule(app, roadmap), 1, created=True)
    steps.ok(app.invite_co_chair(FR_OFFICIAL, paris, party="CA"), 2)
    steps.ok(app.accept_co_chair(CA_OFFICIAL, paris), 3)
    steps.ok(
        app.reschedule_consultation(
            FR_OFFICIAL, paris, starts_on=date(2016, 10, 26), ends_on=date(2016, 10, 28), reason="r"
        ),
        4,
    )
    steps.ok(app.hold_consultation(CA_OFFICIAL, paris, summary="Paris declaration"), 5)
    decision = steps.ok(
        app.record_decision(
            FR_OFFICIAL, paris, text="Yearly consultations", priorities=["preventive-diplomacy"]
        ),
        1,
        created=True,
    )
    assert app.get_public(Decision, decision)["status"] == "proposed"
    steps.ok(app.endorse_decision(CA_OFFICIAL, decision), 2)
    other = steps.ok(schedule(app, roadmap), 1, created=True)
    steps.ok(app.cancel_consultation(FR_OFFICIAL, other, reason="elections"), 2)

    consultation = app.get_public(Consultation, paris)
    assert (consultation["status"], consultation["co_chairs"]) == ("held", ["CA"])
    assert consultation["decisions"] == [str(decision)]
    assert consultation["version"] == 6  # the decision was noted at the consultation
    assert consultation["ends_on"] == "2016-10-28"
    assert app.get_public(Decision, decision)["endorsements"] == ["FR", "CA"]
    assert app.get_public(Decision, decision)["status"] == "agreed"
    assert app.get_public(Consultation, other)["status"] == "cancelled"
    state = app.get_state(roadmap)
    assert state is not None
    assert (len(state["consultations"]), len(state["decisions"])) == (2, 1)


def test_exchange_commands(app: RoadmapLedger, steps: Steps) -> None:
    roadmap = steps.ok(adopt_france_canada(app), 1, created=True)
    exchange = steps.ok(propose_exchange(app, roadmap), 1, created=True)
    steps.ok(app.agree_exchange(CA_OFFICIAL, exchange), 2)
    steps.ok(app.start_exchange(FR_OFFICIAL, exchange), 3)
    steps.ok(app.complete_exchange(CA_OFFICIAL, exchange), 4)
    other = steps.ok(propose_exchange(app, roadmap), 1, created=True)
    steps.ok(app.cancel_exchange(CA_OFFICIAL, other, reason="r"), 2)
    assert app.get_public(Exchange, exchange)["status"] == "completed"
    assert app.get_public(Exchange, other)["status"] == "cancelled"


def test_reform_commands(app: RoadmapLedger, steps: Steps) -> None:
    roadmap = steps.ok(adopt_france_canada(app), 1, created=True)
    reform = steps.ok(propose_reform(app, roadmap), 1, created=True)
    steps.ok(app.cosponsor_reform(CA_OFFICIAL, reform), 2)
    steps.ok(app.submit_reform(CA_OFFICIAL, reform, forum="General Assembly"), 3)
    steps.ok(app.record_reform_outcome(FR_OFFICIAL, reform, result=ReformResult.ADOPTED), 4)
    other = steps.ok(propose_reform(app, roadmap), 1, created=True)
    steps.ok(app.withdraw_reform(FR_OFFICIAL, other, reason="r"), 2)
    steps.ok(
        app.correct(
            FR_OFFICIAL,
            ReformProposal,
            reform,
            target_version=1,
            changes={"priorities": ["preventive-diplomacy", "military-performance"]},
            reason="r",
        ),
        5,
    )
    proposal = app.get_public(ReformProposal, reform)
    assert (proposal["status"], proposal["sponsors"], proposal["forum"]) == (
        "adopted",
        ["FR", "CA"],
        "General Assembly",
    )
    assert proposal["priorities"] == ["preventive-diplomacy", "military-performance"]
    assert app.get_public(ReformProposal, other)["status"] == "withdrawn"
    state = app.get_state(roadmap)
    assert state is not None
    assert len(state["reform_proposals"]) == 2
    assert app.roadmap_ids() == [roadmap]


def test_a_refused_command_records_nothing(app: RoadmapLedger) -> None:
    roadmap = adopt_france_canada(app).id
    pledge = make_canada_pledge(app, roadmap).id
    app.withdraw_pledge(CA_OFFICIAL, pledge, reason="r")
    count = event_count(app)
    with pytest.raises(NotYourPartyError):
        app.make_pledge(
            FR_OFFICIAL,
            roadmap,
            party="CA",
            title="Canada's pledge, by France",
            kind=PledgeKind.PERSONNEL,
            quantity=personnel(1),
            priorities=[],
        )
    with pytest.raises(PledgeAlreadyWithdrawnError):
        app.fulfil_pledge(CA_OFFICIAL, pledge, reason="closed early")
    with pytest.raises(UnknownPriorityError):
        app.correct(
            CA_OFFICIAL, Pledge, pledge, target_version=1, changes={"priorities": ["x"]}, reason="r"
        )
    with pytest.raises(NotFoundError):
        app.fulfil_pledge(CA_OFFICIAL, uuid4(), reason="closed early")
    with pytest.raises(NotFoundError):
        app.agree_exchange(CA_OFFICIAL, pledge)  # a pledge is not an exchange
    with pytest.raises(NotFoundError):
        make_canada_pledge(app, pledge)  # nor a roadmap
    assert event_count(app) == count
    assert app.get_item(Pledge, pledge).version == 2


def test_idempotency(app: RoadmapLedger) -> None:
    roadmap = adopt_france_canada(app).id
    meta = Meta(idempotency_key="pledge-600", request_hash="h1")
    first = make_canada_pledge(app, roadmap, meta=meta)
    count = event_count(app)

    again = make_canada_pledge(app, roadmap, meta=meta)
    assert again == CommandResult(first.id, 1, first.position, created=True, replayed=True)
    assert event_count(app) == count

    with pytest.raises(IdempotencyKeyReusedError) as raised:
        make_canada_pledge(app, roadmap, meta=Meta(idempotency_key="pledge-600", request_hash="h2"))
    assert raised.value.field == "Idempotency-Key"
    assert event_count(app) == count

    change = Meta(idempotency_key="progress-1", request_hash="p")
    progress = app.report_pledge_progress(
        CA_OFFICIAL, first.id, delivered=personnel(5), meta=change
    )
    replayed = app.report_pledge_progress(
        CA_OFFICIAL, first.id, delivered=personnel(5), meta=change
    )
    assert (replayed.id, replayed.version, replayed.position) == (first.id, 2, progress.position)
    assert (replayed.created, replayed.replayed) == (False, True)
    assert app.get_item(Pledge, first.id).version == 2


def test_purged_idempotency_keys_may_be_used_again(app: RoadmapLedger, clock: Clock) -> None:
    roadmap = adopt_france_canada(app).id
    meta = Meta(idempotency_key="pledge-600", request_hash="h1")
    first = make_canada_pledge(app, roadmap, meta=meta)
    assert app.ledger_recorder.purge_idempotency(before=clock.now - timedelta(hours=1)) == 0
    assert app.ledger_recorder.purge_idempotency(before=clock.now + timedelta(hours=1)) == 1
    again = make_canada_pledge(app, roadmap, meta=Meta(idempotency_key="pledge-600"))
    assert (again.replayed, again.created) == (False, True)
    assert again.id != first.id


def test_idempotency_keys_are_per_subject(app: RoadmapLedger) -> None:
    roadmap = adopt_france_canada(app).id
    meta = Meta(idempotency_key="same-key", request_hash="h")
    by_one = app.propose_reform(
        FR_OFFICIAL, roadmap, title="t", forum="C-34", summary="s", priorities=[], meta=meta
    )
    by_other = app.propose_reform(
        FR_OFFICIAL_2, roadmap, title="t", forum="C-34", summary="s", priorities=[], meta=meta
    )
    assert by_one.id != by_other.id
    assert not by_other.replayed
    assert event_count(app) == 3


def test_concurrent_identical_requests_record_one_event(app: RoadmapLedger) -> None:
    roadmap = adopt_france_canada(app).id
    count = event_count(app)
    meta = Meta(idempotency_key="twenty-at-once", request_hash="h")
    barrier = Barrier(20)

    def send(_: int) -> CommandResult:
        barrier.wait()
        return make_canada_pledge(app, roadmap, meta=meta)

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(send, range(20)))
    assert event_count(app) == count + 1
    assert {(r.id, r.version, r.position, r.created) for r in results} == {
        (results[0].id, 1, app.position(), True)
    }
    assert sum(not r.replayed for r in results) == 1
    assert app.get_item(Pledge, results[0].id).version == 1


def test_a_stale_expected_version_is_refused(app: RoadmapLedger) -> None:
    roadmap = adopt_france_canada(app).id
    pledge = make_canada_pledge(app, roadmap).id
    app.report_pledge_progress(
        CA_OFFICIAL, pledge, delivered=personnel(10), meta=Meta(expected_version=1)
    )
    count = event_count(app)
    with pytest.raises(StaleVersionError) as raised:
        app.report_pledge_progress(
            CA_OFFICIAL, pledge, delivered=personnel(20), meta=Meta(expected_version=1)
        )
    assert raised.value.current_version == 2
    assert event_count(app) == count
    app.fulfil_pledge(CA_OFFICIAL, pledge, reason="closed early", meta=Meta(expected_version=2))
    assert app.get_item(Pledge, pledge).state.status == "fulfilled"


@pytest.fixture
def patient_app(database_url: str) -> Iterator[RoadmapLedger]:
    """Retries more than nine lost races: ten writers on one item all get through."""
    ledger = RoadmapLedger(database_url, retries=12)
    yield ledger
    ledger.close()


def test_concurrent_writers_lose_no_update(patient_app: RoadmapLedger) -> None:
    app = patient_app
    roadmap = adopt_france_canada(app).id
    pledge = make_canada_pledge(app, roadmap).id
    barrier = Barrier(10)

    def revise(n: int) -> CommandResult:
        barrier.wait()
        return app.revise_pledge(CA_OFFICIAL, pledge, quantity=None, title=f"T{n}", reason="r")

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(revise, range(10)))
    assert sorted(r.version for r in results) == list(range(2, 12))
    item = app.get_item(Pledge, pledge)
    assert item.version == 11
    titles = [str(e.payload["title"]) for e in item.entries[1:]]
    assert sorted(titles) == sorted(f"T{n}" for n in range(10))
    assert str(item.state.title) == titles[-1]


def test_concurrent_progress_reports_stay_cumulative(app: RoadmapLedger) -> None:
    roadmap = adopt_france_canada(app).id
    pledge = make_canada_pledge(app, roadmap).id
    barrier = Barrier(10)

    def report(n: int) -> CommandResult | DomainError:
        barrier.wait()
        try:
            return app.report_pledge_progress(CA_OFFICIAL, pledge, delivered=personnel(n * 10))
        except DomainError as error:
            return error

    numbers = range(1, 11)
    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(report, numbers))
    done = [o for o in outcomes if isinstance(o, CommandResult)]
    # Recorded; refused as less than a report recorded first; or out of retries. Nothing else.
    decreased = [o for o in outcomes if type(o) is DeliveredDecreasedError]
    conflicts = [o for o in outcomes if type(o) is ConcurrencyConflictError]
    assert len(done) + len(decreased) + len(conflicts) == len(outcomes), outcomes
    assert isinstance(outcomes[-1], CommandResult), outcomes  # 100: nothing is larger
    accepted = [n for n, o in zip(numbers, outcomes, strict=True) if isinstance(o, CommandResult)]
    item = app.get_item(Pledge, pledge)
    assert sorted(r.version for r in done) == list(range(2, 2 + len(done)))
    assert item.version == 1 + len(done)
    delivered = [e.payload["delivered"].amount for e in item.entries[1:]]
    assert delivered == sorted(delivered)  # never decreased, whatever the interleaving
    assert delivered == [personnel(n * 10).amount for n in accepted]  # the accepted, no other
    assert item.state.delivered == personnel(100)  # the largest report cannot be refused


def test_the_france_canada_record_in_time(app: RoadmapLedger, clock: Clock) -> None:
    before = clock.now
    roadmap = adopt_france_canada(app).id
    roadmap_recorded = clock.now
    pledge = make_canada_pledge(app, roadmap, meta=Meta(effective_on=CANADA_PLEDGE_ON)).id

    assert app.get_state(roadmap, as_of=before) is None
    on_roadmap_only = app.get_state(roadmap, as_of=roadmap_recorded)
    assert on_roadmap_only is not None
    assert on_roadmap_only["pledges"] == []
    assert on_roadmap_only["as_of"] == roadmap_recorded.isoformat()

    in_september = app.get_state(roadmap, effective_on=date(2016, 9, 1))
    assert in_september is not None
    assert [p["id"] for p in in_september["pledges"]] == [str(pledge)]
    assert in_september["pledges"][0]["effective_on"] == "2016-08-26"
    assert in_september["effective_on"] == "2016-09-01"
    before_pledge = app.get_state(roadmap, effective_on=date(2016, 8, 25))
    assert before_pledge is not None
    assert before_pledge["pledges"] == []
    assert before_pledge["roadmap"]["adopted_on"] == "2016-10-13"


def test_corrections_in_the_state(app: RoadmapLedger, clock: Clock) -> None:
    roadmap = adopt_france_canada(app).id
    pledge = make_canada_pledge(app, roadmap, meta=Meta(effective_on=CANADA_PLEDGE_ON)).id
    app.report_pledge_progress(
        CA_OFFICIAL, pledge, delivered=personnel(120), meta=Meta(effective_on=date(2016, 12, 1))
    )
    before_correction = clock.now
    app.correct(
        CA_OFFICIAL,
        Pledge,
        pledge,
        target_version=2,
        changes={"delivered": {"amount": "100", "unit": "personnel"}, "effective_on": "2016-11-01"},
        reason="miscounted",
    )

    def delivered(as_of: datetime | None = None, effective_on: date | None = None) -> str:
        state = app.get_state(roadmap, as_of=as_of, effective_on=effective_on)
        assert state is not None
        (found,) = state["pledges"]
        amount: str = found["delivered"]["amount"]
        return amount

    assert delivered() == "100"
    assert delivered(as_of=before_correction) == "120"
    assert delivered(effective_on=date(2016, 11, 15)) == "100"
    assert delivered(as_of=before_correction, effective_on=date(2016, 11, 15)) == "0"
    app.retract(ADMIN, Roadmap, roadmap, target_version=1, reason="duplicate")
    with pytest.raises(ItemRetractedError):
        make_canada_pledge(app, roadmap)  # nothing more under a void roadmap
    assert app.get_state(roadmap) is not None  # its record stays readable


def test_the_clock_of_the_server_is_recorded(app: RoadmapLedger, clock: Clock) -> None:
    roadmap = adopt_france_canada(app).id
    (entry,) = app.get_item(Roadmap, roadmap).entries
    assert entry.recorded_at == clock.now
    assert entry.recorded_at.tzinfo is not None
    assert RECORDED_AT < entry.recorded_at < RECORDED_AT + timedelta(minutes=1)


@pytest.mark.parametrize("priorities", [5, [1], "operations-support", None])
def test_malformed_priority_corrections_are_named(app: RoadmapLedger, priorities: object) -> None:
    roadmap = adopt_france_canada(app).id
    pledge = make_canada_pledge(app, roadmap).id
    with pytest.raises(InvalidCorrectionError) as raised:
        app.correct(
            CA_OFFICIAL,
            Pledge,
            pledge,
            target_version=1,
            changes={"priorities": priorities},
            reason="r",
        )
    assert raised.value.field == "changes.priorities"


def test_a_correction_leaves_the_callers_changes_alone(app: RoadmapLedger) -> None:
    roadmap = adopt_france_canada(app).id
    pledge = make_canada_pledge(app, roadmap).id
    changes = {"priorities": ["civilians-and-women", "civilians-and-women"]}
    app.correct(CA_OFFICIAL, Pledge, pledge, target_version=1, changes=changes, reason="r")
    assert changes == {"priorities": ["civilians-and-women", "civilians-and-women"]}
    assert app.get_item(Pledge, pledge).state.priorities == ("civilians-and-women",)


def test_a_roadmap_id_is_recorded_once(app: RoadmapLedger) -> None:
    roadmap_id = uuid4()
    first = app.adopt_roadmap(
        FR_OFFICIAL,
        title="France-Canada Peacekeeping Roadmap",
        parties=["FR", "CA"],
        adopted_on=date(2016, 10, 13),
        priorities=list(PRIORITIES),
        roadmap_id=roadmap_id,
    )
    assert first.id == roadmap_id
    with pytest.raises(AlreadyRecordedError):
        app.adopt_roadmap(
            CA_OFFICIAL,
            title="Again",
            parties=["FR", "CA"],
            adopted_on=date(2016, 10, 13),
            priorities=list(PRIORITIES),
            roadmap_id=roadmap_id,
        )
    assert event_count(app) == 1
    assert app.get_item(Roadmap, roadmap_id).state.title == english(
        "France-Canada Peacekeeping Roadmap"
    )
