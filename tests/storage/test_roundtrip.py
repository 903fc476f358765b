"""Every event type, stored and read back by a new application, equals the original exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.application.service import RoadmapLedger
from domain.model.assessment import Assessment
from domain.model.consultation import Consultation
from domain.model.decision import Decision
from domain.model.exchange import Exchange
from domain.model.item import Item
from domain.model.kinds import COLLECTIONS
from domain.model.pledge import Pledge
from domain.model.reform import ReformProposal
from domain.model.roadmap import Roadmap, RoadmapState
from domain.model.texts import english
from domain.model.values import (
    Actor,
    ConsultationKind,
    Context,
    ExchangeCategory,
    Marking,
    PledgeKind,
    Priority,
    Quantity,
    ReformResult,
)
from domain.storage.transcoding import LedgerTranscoder
from tests.factories import (
    ADMIN,
    CA_OFFICIAL,
    CANADA_PLEDGE_ON,
    FR_OFFICIAL,
    PRIORITIES,
    ROADMAP_TITLE,
    Clock,
    assert_exact,
    personnel,
)


class Record:
    """Builds one of every event type, with varied metadata, on a moving clock."""

    def __init__(self) -> None:
        self.clock = Clock(datetime(2026, 3, 2, 9, 30, 0, 123456, tzinfo=UTC))

    def ctx(self, actor: Actor, effective_on: date | None = None) -> Context:
        return Context(
            actor,
            recorded_at=self.clock(),
            effective_on=effective_on,
            authority="Joint declaration of 13 October 2016" if actor is FR_OFFICIAL else None,
            note="entered from the archive" if effective_on else None,
        )

    def everything(self) -> list[Item]:  # noqa: PLR0915 - one scripted history, step by step
        fr, ca, ctx = FR_OFFICIAL, CA_OFFICIAL, self.ctx
        roadmap = Roadmap.adopt(
            uuid4(),
            title=ROADMAP_TITLE,
            parties=["FR", "CA"],
            adopted_on=date(2016, 10, 13),
            priorities=list(PRIORITIES),
            summary="France and Canada work together for peacekeeping.",
            ctx=ctx(fr),
        )
        roadmap.correct(
            1,
            {"priorities": [{"code": "preventive-diplomacy", "title": "Diplomacy"}]},
            "shorter",
            ctx(fr),
        )
        state = roadmap.state
        pledge = Pledge.make(
            uuid4(),
            roadmap.id,
            state,
            party="CA",
            title="Fund UN peace operations",
            kind=PledgeKind.FUNDING,
            quantity=Quantity(Decimal("450000000.00"), "CAD"),
            priorities=["preventive-diplomacy"],
            beneficiary="UN peace operations",
            due_on=date(2019, 3, 31),
            ctx=ctx(ca, CANADA_PLEDGE_ON),
        )
        pledge.revise(
            quantity=Quantity(Decimal("0.5E+9"), "CAD"), title=None, reason="r", ctx=ctx(ca)
        )
        pledge.report_progress(delivered=Quantity(Decimal("1.10"), "CAD"), ctx=ctx(ca))
        pledge.correct(
            1,
            {
                "quantity": {"amount": "450000000.001", "unit": "CAD"},
                "due_on": "2019-12-31",
                "kind": "other",
                "priorities": ["preventive-diplomacy"],
                "beneficiary": None,
                "effective_on": "2016-08-25",
            },
            "typo",
            ctx(ca),
        )
        pledge.translate(1, "title", "fr", "Fonds pour la formation", ctx(ca))
        pledge.fulfil(reason="the remainder went to another fund", ctx=ctx(ca, date(2019, 3, 1)))
        withdrawn = Pledge.make(
            uuid4(),
            roadmap.id,
            state,
            party="FR",
            title="Deploy gendarmes",
            kind=PledgeKind.POLICE,
            quantity=personnel(40),
            priorities=[],
            beneficiary=None,
            due_on=None,
            ctx=ctx(ADMIN),
        )
        withdrawn.withdraw(reason="budget", ctx=ctx(fr))
        withdrawn.retract(1, "duplicate", ctx(ADMIN))

        paris = Consultation.schedule(
            uuid4(),
            roadmap.id,
            state,
            kind=ConsultationKind.MINISTERIAL_CONFERENCE,
            title="Paris ministerial conference",
            host_party="FR",
            location="Paris",
            starts_on=date(2016, 10, 26),
            ends_on=date(2016, 10, 27),
            priorities=["preventive-diplomacy"],
            ctx=ctx(fr),
        )
        paris.invite_co_chair(party="CA", roadmap=state, ctx=ctx(fr))
        paris.accept_co_chair(ctx=ctx(ca))
        paris.reschedule(
            starts_on=date(2016, 10, 26), ends_on=date(2016, 10, 28), reason="r", ctx=ctx(fr)
        )
        paris.hold(summary="Paris declaration", ctx=ctx(ca, date(2016, 10, 27)))
        decision = Decision.record(
            uuid4(),
            roadmap.id,
            state,
            paris.id,
            text_="Yearly consultations",
            priorities=["preventive-diplomacy"],
            ctx=ctx(fr),
        )
        paris.note_decision(decision_id=decision.id, ctx=ctx(fr))
        paris.correct(6, {"decision_id": str(decision.id)}, "same", ctx(fr))
        decision.endorse(ctx=ctx(ca))
        decision.retract(2, "not yet", ctx(ca))
        decision.correct(1, {"text": "Yearly bilateral consultations"}, "wording", ctx(fr))
        cancelled = Consultation.schedule(
            uuid4(),
            roadmap.id,
            state,
            kind=ConsultationKind.WORKING_GROUP,
            title="Working group",
            host_party="CA",
            location="Ottawa",
            starts_on=date(2017, 2, 1),
            ends_on=date(2017, 2, 1),
            priorities=[],
            ctx=ctx(ca),
        )
        cancelled.cancel(reason="elections", ctx=ctx(ca))
        cancelled.retract(2, "not cancelled after all", ctx(ca))

        exchange = Exchange.propose(
            uuid4(),
            roadmap.id,
            state,
            category=ExchangeCategory.MILITARY_EXPERT,
            from_party="FR",
            to_party="CA",
            participants=4,
            starts_on=date(2017, 1, 9),
            ends_on=date(2017, 6, 30),
            title="Military experts",
            ctx=ctx(fr),
        )
        exchange.agree(ctx=ctx(ca))
        exchange.start(ctx=ctx(fr))
        exchange.complete(ctx=ctx(ca))
        exchange.correct(1, {"category": "civilian-expert", "participants": 5}, "r", ctx(fr))
        dropped = Exchange.propose(
            uuid4(),
            roadmap.id,
            state,
            category=ExchangeCategory.DIPLOMAT,
            from_party="CA",
            to_party="FR",
            participants=1,
            starts_on=date(2017, 1, 9),
            ends_on=date(2017, 1, 9),
            title="Diplomat",
            ctx=ctx(ca),
        )
        dropped.cancel(reason="r", ctx=ctx(fr))
        dropped.retract(2, "r", ctx(fr))

        reform = ReformProposal.propose(
            uuid4(),
            roadmap.id,
            state,
            party=None,
            title="Training in French",
            forum="C-34",
            summary="More French-speaking personnel",
            priorities=["preventive-diplomacy"],
            ctx=ctx(fr),
        )
        reform.cosponsor(roadmap=state, ctx=ctx(ca))
        reform.submit(forum=None, ctx=ctx(ca))
        reform.record_outcome(result=ReformResult.ADOPTED, ctx=ctx(fr))
        reform.correct(4, {"result": "rejected"}, "misread", ctx(fr))
        withdrawn_reform = ReformProposal.propose(
            uuid4(),
            roadmap.id,
            state,
            party="CA",
            title="Pre-deployment training",
            forum="Secretariat",
            summary="s",
            priorities=[],
            ctx=ctx(ADMIN),
        )
        withdrawn_reform.submit(forum="Security Council", ctx=ctx(ca))
        withdrawn_reform.withdraw(reason="r", ctx=ctx(ca))
        withdrawn_reform.retract(3, "r", ctx(ca))
        mali, mali_2018 = self.assessments(roadmap.id, state)
        duplicate = Roadmap.adopt(
            uuid4(),
            title=ROADMAP_TITLE,
            parties=["FR", "CA", "DE"],
            adopted_on=date(2016, 10, 13),
            priorities=[PRIORITIES[0]],
            summary=None,
            ctx=ctx(ADMIN, date(2016, 10, 14)),
        )
        duplicate.retract(1, "entered twice", ctx(ADMIN))
        # A translation of a text of each kind (any writer may translate).
        roadmap.translate(1, "title", "fr", "Feuille de route France-Canada", ctx(ca))
        paris.translate(1, "location", "fr", "Paris (France)", ctx(ca))
        decision.translate(1, "text", "fr", "Une décision", ctx(ca))
        exchange.translate(1, "title", "fr", "Un échange", ctx(fr))
        reform.translate(1, "title", "fr", "Une réforme", ctx(ca))
        mali.translate(1, "title", "fr", "Le nord du Mali", ctx(ca))
        return [
            duplicate,
            roadmap,
            pledge,
            withdrawn,
            paris,
            decision,
            cancelled,
            exchange,
            dropped,
            reform,
            withdrawn_reform,
            mali,
            mali_2018,
        ]

    def assessments(self, roadmap_id: UUID, state: RoadmapState) -> tuple[Assessment, Assessment]:
        fr, ca, ctx = FR_OFFICIAL, CA_OFFICIAL, self.ctx
        mali = Assessment.share(
            uuid4(),
            roadmap_id,
            state,
            from_party="FR",
            to_party="CA",
            title="Northern Mali",
            subject="MINUSMA",
            priorities=["preventive-diplomacy"],
            summary="Fragile",
            marking=Marking.RESTRICTED,
            shared_on=date(2017, 3, 1),
            ctx=ctx(fr),
        )
        mali_2018 = Assessment.share(
            uuid4(),
            roadmap_id,
            state,
            from_party="FR",
            to_party="CA",
            title="Northern Mali, a year on",
            subject="MINUSMA",
            priorities=[],
            summary="Calmer",
            marking=Marking.UNCLASSIFIED,
            shared_on=date(2018, 3, 1),
            ctx=ctx(fr, date(2018, 3, 2)),
        )
        mali.acknowledge(ctx=ctx(ca))
        mali.supersede(by=mali_2018.id, newer=mali_2018.state, ctx=ctx(fr))
        mali.correct(1, {"marking": "unclassified", "shared_on": "2017-02-28"}, "r", ctx(fr))
        mali_2018.withdraw(reason="source withdrawn", ctx=ctx(ADMIN))
        mali_2018.retract(2, "withdrawn by mistake", ctx(ADMIN))
        return mali, mali_2018


def event_types() -> set[type[Any]]:
    """Every concrete event class of every aggregate."""
    found = set()
    # demanding its events before and after.
    for cls in COLLECTIONS.values():
        for name, value in vars(cls).items():
            is_event = isinstance(value, type) and issubclass(value, Item.Event)
            if is_event and name not in ("Event", "Created"):
                found.add(value)
    return found


def test_every_event_reads_back_exactly(app: RoadmapLedger, database_url: str) -> None:
    items = Record().everything()
    originals = {item.id: list(item.pending_events) for item in items}
    app.save(*items)
    assert {type(e) for events in originals.values() for e in events} == event_types()

    reader = RoadmapLedger(database_url)
    try:
        for item in items:
            stored = list(reader.repository.event_store.get(item.id))
            assert len(stored) == len(originals[item.id])
            for original, read in zip(originals[item.id], stored, strict=True):
                assert type(read) is type(original)
                assert_exact(vars(original), vars(read), type(original).__qualname__)
            rebuilt: Item = reader.repository.get(item.id)
            assert type(rebuilt) is type(item)
            assert_exact(item.entries, rebuilt.entries, f"{type(item).__name__}.entries")
            assert_exact(item.state, rebuilt.state, f"{type(item).__name__}.state")
            assert rebuilt.version == item.version
    finally:
        reader.close()


def test_state_read_back_carries_exact_types(app: RoadmapLedger, database_url: str) -> None:
    items = Record().everything()
    app.save(*items)
    reader = RoadmapLedger(database_url)
    try:
        pledge = reader.get_item(Pledge, items[2].id)
        assert_exact(Quantity(Decimal("5E+8"), "CAD"), pledge.state.quantity)
        assert_exact(Quantity(Decimal("1.10"), "CAD"), pledge.state.delivered)
        assert type(pledge.state.kind) is PledgeKind
        assert pledge.state.made_on == date(2016, 8, 25)
        assert pledge.entries[0].recorded_at.tzinfo is not None
        roadmap = reader.get_item(Roadmap, items[1].id)
        assert roadmap.state.priorities == (Priority("preventive-diplomacy", english("Diplomacy")),)
        consultation = reader.get_item(Consultation, items[4].id)
        assert consultation.state.decisions == (items[5].id,)
        assert type(consultation.state.decisions[0]) is UUID
        mali = reader.get_item(Assessment, items[11].id)
        assert mali.state.marking is Marking.UNCLASSIFIED
        assert (mali.state.status, mali.state.superseded_by) == ("superseded", items[12].id)
        assert type(mali.state.superseded_by) is UUID
        assert mali.state.shared_on == date(2017, 2, 28)
    finally:
        reader.close()


NESTED: dict[str, Any] = {
    "kinds": (
        PledgeKind.POLICE,
        ConsultationKind.BILATERAL,
        ExchangeCategory.DIPLOMAT,
        Marking.RESTRICTED,
    ),
    "by_result": {"adopted": (ReformResult.ADOPTED,), "rejected": ()},
    "deep": [({"on": date(2016, 10, 13), "amounts": (Decimal("1.50"), Decimal("-0"))},)],
    "pairs": ((1, "a"), (2, ("b", (3,)))),
    "quantity": Quantity(Decimal("450000000.00"), "CAD"),
    "quantities": (personnel(600), Quantity(Decimal("1E+3"), "EUR")),
    "priorities": PRIORITIES,
    "id": UUID("6f1c2d1e-0b5a-4c55-9a43-3f2a8d1e7b10"),
    "at": datetime(2016, 10, 13, 9, 0, 0, 1, tzinfo=UTC),
    "in_paris": datetime(2016, 10, 26, 9, 0, tzinfo=timezone(timedelta(hours=2))),
    "list": [1, "a", None, True, 1.5],
    "empty": {"tuple": (), "list": [], "dict": {}},
    "none": None,
}


@pytest.mark.parametrize("key", NESTED)
def test_transcoder_round_trips_nested_values(key: str) -> None:
    transcoder = LedgerTranscoder()
    value = {key: NESTED[key]}
    assert_exact(value, transcoder.decode(transcoder.encode(value)))


def test_transcoder_round_trips_everything_at_once() -> None:
    transcoder = LedgerTranscoder()
    assert_exact(NESTED, transcoder.decode(transcoder.encode(NESTED)))
