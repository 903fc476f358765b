"""Exchanges under random steps, by every kind of actor, with corrections and retractions."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from domain.model.errors import (
    IllegalTransitionError,
    InvalidCorrectionError,
    OnlyReceivingPartyAgreesError,
)
from domain.model.exchange import Exchange, ExchangeState
from domain.model.values import Actor, ExchangeCategory, Role
from tests.factories import ADMIN, OFFICIALS, PARTIES, roadmap_state
from tests.model.machine import (
    INVALID,
    ROADMAP_ID,
    STEPS,
    Change,
    Error,
    ItemMachine,
    Record,
    actors,
    effective_dates,
    one_of_errors,
    past_dates,
    writer_errors,
)

#: The status each step requires, and the one it leads to.
STEPS_FROM = {
    "agree": ({"proposed"}, "agreed"),
    "start": ({"agreed"}, "in-progress"),
    "complete": ({"in-progress"}, "completed"),
    "cancel": ({"proposed", "agreed", "in-progress"}, "cancelled"),
}
EVENTS = {"agree": "Agreed", "start": "Started", "complete": "Completed", "cancel": "Cancelled"}


class ExchangeMachine(ItemMachine[Exchange]):
    CHANGES = (
        Change("participants", 7, 7),
        Change("participants", 0, 0),  # out of range: refused by the aggregate's rule
        Change("participants", 100_001, 100_001),
        Change("participants", "7", INVALID),
        Change("participants", True, INVALID),
        Change("title", "Corrected title", "Corrected title"),
        Change("category", "diplomat", ExchangeCategory.DIPLOMAT),
        Change("category", "spy", INVALID),
        Change("starts_on", "2016-12-01", date(2016, 12, 1)),
        Change("starts_on", "2017-09-01", date(2017, 9, 1)),
        Change("ends_on", "2017-08-31", date(2017, 8, 31)),
        Change("ends_on", "2016-12-31", date(2016, 12, 31)),
        Change("reason", "Corrected reason", "Corrected reason"),
        Change("from_party", "CA", "CA"),
        Change("to_party", "FR", "FR"),
    )

    @initialize(
        from_party=st.sampled_from(PARTIES),
        by_admin=st.booleans(),
        participants=st.integers(1, 50),
        effective_on=past_dates,
    )
    def propose(
        self, from_party: str, by_admin: bool, participants: int, effective_on: date | None
    ) -> None:
        to_party = "CA" if from_party == "FR" else "FR"
        ctx = self.context(ADMIN if by_admin else OFFICIALS[from_party], effective_on)
        fields: dict[str, Any] = {
            "category": ExchangeCategory.MILITARY_EXPERT,
            "from_party": from_party,
            "to_party": to_party,
            "participants": participants,
            "starts_on": date(2017, 1, 9),
            "ends_on": date(2017, 6, 30),
            "title": "Military experts",
        }
        exchange = Exchange.propose(uuid4(), ROADMAP_ID, roadmap_state(), **fields, ctx=ctx)
        self.created(exchange, ctx, {"roadmap_id": ROADMAP_ID, **fields})

    def step(self, name: str, actor: Actor, effective_on: date | None, errors: list[Error]) -> None:
        allowed, _ = STEPS_FROM[name]
        errors = self.live_errors() + errors
        if self.expected_state().status not in allowed:
            errors.append(IllegalTransitionError)
        data = {"reason": "no funding"} if name == "cancel" else {}
        commands = {
            "agree": lambda e, c: e.agree(ctx=c),
            "start": lambda e, c: e.start(ctx=c),
            "complete": lambda e, c: e.complete(ctx=c),
            "cancel": lambda e, c: e.cancel(reason="no funding", ctx=c),
        }
        self.attempt(commands[name], self.context(actor, effective_on), errors, EVENTS[name], data)

    def parties_errors(self, actor: Actor) -> list[Error]:
        state = self.expected_state()
        return one_of_errors(actor, (state.from_party, state.to_party))

    @rule(actor=actors, effective_on=effective_dates)
    def agree(self, actor: Actor, effective_on: date | None) -> None:
        errors = writer_errors(actor)
        receiving = self.expected_state().to_party
        if not errors and Role.ADMIN not in actor.roles and actor.party != receiving:
            errors.append(OnlyReceivingPartyAgreesError)
        self.step("agree", actor, effective_on, errors)

    @rule(actor=actors, effective_on=effective_dates)
    def start(self, actor: Actor, effective_on: date | None) -> None:
        self.step("start", actor, effective_on, self.parties_errors(actor))

    @rule(actor=actors, effective_on=effective_dates)
    def complete(self, actor: Actor, effective_on: date | None) -> None:
        self.step("complete", actor, effective_on, self.parties_errors(actor))

    @rule(actor=actors, effective_on=effective_dates)
    def cancel(self, actor: Actor, effective_on: date | None) -> None:
        self.step("cancel", actor, effective_on, self.parties_errors(actor))

    def correction_errors(self, record: Record, change: Change) -> list[Error]:
        if change.field == "participants" and not 1 <= change.value <= 100_000:
            return [InvalidCorrectionError]
        if change.field in ("starts_on", "ends_on"):
            dates = {**record.data, change.field: change.value}
            if dates["ends_on"] < dates["starts_on"]:
                return [InvalidCorrectionError]
        return []

    def expected_state(self) -> ExchangeState:
        proposed, *later = self.model.in_force()
        d = proposed.data
        status = "proposed"
        to_status = {EVENTS[name]: after for name, (_, after) in STEPS_FROM.items()}
        for record in later:
            status = to_status[record.event_type]
        return ExchangeState(
            roadmap_id=d["roadmap_id"],
            category=d["category"],
            from_party=d["from_party"],
            to_party=d["to_party"],
            participants=d["participants"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            title=d["title"],
            status=status,
        )


ExchangeMachine.TestCase.settings = STEPS
TestExchangeMachine = ExchangeMachine.TestCase
