"""Shared test data: actors, fixed clocks, the France-Canada roadmap, and item builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from threading import Lock
from typing import Any, TypeVar
from uuid import UUID, uuid4

import pytest

from domain.application.running import NO_META, CommandResult, Meta
from domain.application.service import RoadmapLedger
from domain.model.assessment import Assessment
from domain.model.consultation import Consultation
from domain.model.decision import Decision
from domain.model.errors import DomainError
from domain.model.exchange import Exchange
from domain.model.item import Item
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
    Role,
)

ItemT = TypeVar("ItemT", bound=Item)

# --- actors --------------------------------------------------------------------------------

FR_OFFICIAL = Actor("fr-official", "FR", frozenset({Role.OFFICIAL}))
FR_OFFICIAL_2 = Actor("fr-official-2", "FR", frozenset({Role.OFFICIAL}))
CA_OFFICIAL = Actor("ca-official", "CA", frozenset({Role.OFFICIAL}))
US_OFFICIAL = Actor("us-official", "US", frozenset({Role.OFFICIAL}))  # not a roadmap party
ADMIN = Actor("admin", None, frozenset({Role.ADMIN}))
AUDITOR = Actor("auditor", None, frozenset({Role.AUDITOR}))
FR_AUDITOR = Actor("fr-auditor", "FR", frozenset({Role.AUDITOR}))  # a party, but no writer
OFFICIALS = {"FR": FR_OFFICIAL, "CA": CA_OFFICIAL}

# --- the France-Canada Peacekeeping Roadmap ------------------------------------------------

ROADMAP_TITLE = "France-Canada Peacekeeping Roadmap"
PARTIES = ("FR", "CA")
ADOPTED_ON = date(2016, 10, 13)
PRIORITY_CODES = (
    "preventive-diplomacy",
    "operations-support",
    "development-cooperation",
    "civilians-and-women",
    "military-performance",
)
PRIORITIES = (
    Priority("preventive-diplomacy", english("Preventive diplomacy")),
    Priority("operations-support", english("Support to operations: military, policing, legal")),
    Priority(
        "development-cooperation", english("Development cooperation with countries in crisis")
    ),
    Priority("civilians-and-women", english("Protection of civilians; rights and role of women")),
    Priority("military-performance", english("Performance of military contingents")),
)
CANADA_PLEDGE_ON = date(2016, 8, 26)  # Canada's pledge precedes the roadmap

#: The server clock of the unit tests: a fixed, aware moment.
RECORDED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def ctx(
    actor: Actor,
    *,
    at: datetime = RECORDED_AT,
    effective_on: date | None = None,
    authority: str | None = None,
    note: str | None = None,
) -> Context:
    return Context(actor, recorded_at=at, effective_on=effective_on, authority=authority, note=note)


def personnel(amount: int | str) -> Quantity:
    return Quantity(Decimal(amount), "personnel")


def roadmap_state() -> RoadmapState:
    return RoadmapState(english(ROADMAP_TITLE), PARTIES, ADOPTED_ON, PRIORITIES, None)


class Clock:
    """A server clock that moves one second on every reading."""

    def __init__(self, start: datetime = RECORDED_AT, step: timedelta = timedelta(seconds=1)):
        self.now = start
        self.step = step
        self._lock = Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.now += self.step
            return self.now


# --- aggregates built directly (unit and property tests) -----------------------------------


def new_roadmap(actor: Actor = FR_OFFICIAL, *, at: datetime = RECORDED_AT) -> Roadmap:
    return Roadmap.adopt(
        uuid4(),
        title=ROADMAP_TITLE,
        parties=list(PARTIES),
        adopted_on=ADOPTED_ON,
        priorities=list(PRIORITIES),
        summary="France and Canada work together for peacekeeping.",
        ctx=ctx(actor, at=at),
    )


def new_pledge(
    actor: Actor = CA_OFFICIAL,
    *,
    party: str = "CA",
    amount: int = 600,
    effective_on: date | None = None,
    at: datetime = RECORDED_AT,
) -> Pledge:
    return Pledge.make(
        uuid4(),
        uuid4(),
        roadmap_state(),
        party=party,
        title="Deploy up to 600 soldiers to UN peace operations",
        kind=PledgeKind.PERSONNEL,
        quantity=personnel(amount),
        priorities=["operations-support"],
        beneficiary=None,
        due_on=None,
        ctx=ctx(actor, at=at, effective_on=effective_on),
    )


def new_consultation(
    actor: Actor = FR_OFFICIAL, *, host_party: str = "FR", at: datetime = RECORDED_AT
) -> Consultation:
    return Consultation.schedule(
        uuid4(),
        uuid4(),
        roadmap_state(),
        kind=ConsultationKind.MINISTERIAL_CONFERENCE,
        title="Paris ministerial conference on peacekeeping",
        host_party=host_party,
        location="Paris",
        starts_on=date(2016, 10, 26),
        ends_on=date(2016, 10, 27),
        priorities=["civilians-and-women"],
        ctx=ctx(actor, at=at),
    )


def new_decision(actor: Actor = FR_OFFICIAL, *, at: datetime = RECORDED_AT) -> Decision:
    return Decision.record(
        uuid4(),
        uuid4(),
        roadmap_state(),
        uuid4(),
        text_="Hold a yearly bilateral consultation on peacekeeping",
        priorities=["preventive-diplomacy"],
        ctx=ctx(actor, at=at),
    )


def new_exchange(
    actor: Actor = FR_OFFICIAL,
    *,
    from_party: str = "FR",
    to_party: str = "CA",
    at: datetime = RECORDED_AT,
) -> Exchange:
    return Exchange.propose(
        uuid4(),
        uuid4(),
        roadmap_state(),
        category=ExchangeCategory.MILITARY_EXPERT,
        from_party=from_party,
        to_party=to_party,
        participants=4,
        starts_on=date(2017, 1, 9),
        ends_on=date(2017, 6, 30),
        title="Exchange of military experts on French-speaking missions",
        ctx=ctx(actor, at=at),
    )


def new_assessment(
    actor: Actor = FR_OFFICIAL,
    *,
    from_party: str = "FR",
    to_party: str = "CA",
    roadmap_id: UUID | None = None,
    shared_on: date = date(2017, 3, 1),
    at: datetime = RECORDED_AT,
) -> Assessment:
    return Assessment.share(
        uuid4(),
        roadmap_id or uuid4(),
        roadmap_state(),
        from_party=from_party,
        to_party=to_party,
        title="Situation in Mali after the 2015 peace agreement",
        subject="MINUSMA",
        priorities=["preventive-diplomacy", "civilians-and-women"],
        summary="The security situation in the north remains fragile.",
        marking=Marking.RESTRICTED,
        shared_on=shared_on,
        ctx=ctx(actor, at=at),
    )


def new_reform(
    actor: Actor = FR_OFFICIAL, *, party: str | None = "FR", at: datetime = RECORDED_AT
) -> ReformProposal:
    return ReformProposal.propose(
        uuid4(),
        uuid4(),
        roadmap_state(),
        party=party,
        title="Training in French for peacekeepers",
        forum="C-34",
        summary="More French-speaking personnel in UN missions.",
        priorities=["military-performance"],
        ctx=ctx(actor, at=at),
    )


def replay(events: Sequence[Any]) -> Any:
    """A fresh aggregate from its events, without any repository."""
    aggregate = events[0].mutate(None)
    for event in events[1:]:
        aggregate = event.mutate(aggregate)
    return aggregate


@dataclass(frozen=True)
class Snapshot:
    state: Any
    version: int
    pending: int
    entries: int


def snapshot(item: Item) -> Snapshot:
    return Snapshot(item.state, item.version, len(item.pending_events), len(item.entries))


@contextmanager
def refused(item: Item, error: type[DomainError], field: str | None = None) -> Iterator[None]:
    """The block raises `error` (naming `field`, if given) and leaves `item` untouched."""
    before = snapshot(item)
    with pytest.raises(error) as raised:
        yield
    if field is not None:
        assert raised.value.field == field
    assert snapshot(item) == before


def accepted(item: ItemT, command: Callable[[ItemT], None]) -> Any:
    """Run one command and answer the one event it triggered."""
    before = len(item.pending_events)
    command(item)
    assert len(item.pending_events) == before + 1
    return item.pending_events[-1]


# --- through the application (integration tests) -------------------------------------------


def adopt_france_canada(
    app: RoadmapLedger, actor: Actor = FR_OFFICIAL, *, meta: Meta = NO_META
) -> CommandResult:
    """The roadmap of 13 October 2016, with the five priorities of the seed."""
    return app.adopt_roadmap(
        actor,
        title=ROADMAP_TITLE,
        parties=list(PARTIES),
        adopted_on=ADOPTED_ON,
        priorities=list(PRIORITIES),
        summary="France and Canada work together for peacekeeping.",
        meta=meta,
    )


def make_canada_pledge(
    app: RoadmapLedger, roadmap_id: UUID, *, meta: Meta = NO_META, amount: int = 600
) -> CommandResult:
    """Canada: deploy up to 600 soldiers to UN forces (26 August 2016)."""
    return app.make_pledge(
        CA_OFFICIAL,
        roadmap_id,
        party="CA",
        title="Deploy up to 600 soldiers to UN peace operations",
        kind=PledgeKind.PERSONNEL,
        quantity=personnel(amount),
        priorities=["operations-support", "military-performance"],
        meta=meta,
    )


def event_count(app: RoadmapLedger) -> int:
    return sum(1 for _ in app.notifications())


def assert_exact(expected: Any, actual: Any, path: str = "value") -> None:
    """Equal, and of the same types all the way down (a str-Enum is not its str, 1 not 1.0)."""
    assert type(actual) is type(expected), f"{path}: {type(actual)} is not {type(expected)}"
    if isinstance(expected, dict):
        assert actual.keys() == expected.keys(), f"{path}: keys {actual.keys()}"
        for key, value in expected.items():
            assert_exact(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list | tuple):
        assert len(actual) == len(expected), f"{path}: length {len(actual)}"
        for index, (value, got) in enumerate(zip(expected, actual, strict=True)):
            assert_exact(value, got, f"{path}[{index}]")
    elif is_dataclass(expected) and not isinstance(expected, type):
        for name in (f.name for f in fields(expected)):
            assert_exact(getattr(expected, name), getattr(actual, name), f"{path}.{name}")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
        if isinstance(expected, Decimal):
            assert str(actual) == str(expected), f"{path}: {actual} has another exponent"
        if isinstance(expected, datetime):
            assert actual.utcoffset() == expected.utcoffset(), f"{path}: time zone lost"
