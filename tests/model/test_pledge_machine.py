"""Pledges under random commands, legal and not, by every kind of actor, with corrections."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from domain.model.errors import (
    DeliveredDecreasedError,
    FulfilmentReasonRequiredError,
    InvalidValueError,
    PledgeAlreadyFulfilledError,
    PledgeAlreadyWithdrawnError,
    UnitMismatchError,
)
from domain.model.pledge import Pledge, PledgeState
from domain.model.values import Actor, PledgeKind, Quantity
from tests.factories import ADMIN, OFFICIALS, roadmap_state
from tests.model.machine import (
    INVALID,
    ROADMAP_ID,
    STEPS,
    Change,
    Error,
    ItemMachine,
    actors,
    effective_dates,
    party_errors,
    past_dates,
)

amounts = st.integers(0, 1500).map(Decimal)
units = st.sampled_from(["personnel", "personnel", "personnel", "CAD"])


def personnel(amount: int) -> Quantity:
    return Quantity(Decimal(amount), "personnel")


class PledgeMachine(ItemMachine[Pledge]):
    CHANGES = (
        Change("title", "Corrected title", "Corrected title"),
        Change("title", 7, INVALID),
        Change("title", None, None),
        Change("quantity", {"amount": "700", "unit": "personnel"}, personnel(700)),
        Change("quantity", {"amount": "5", "unit": "CAD"}, Quantity(Decimal(5), "CAD")),
        Change("quantity", {"amount": 1.5, "unit": "personnel"}, INVALID),
        Change("quantity", None, None),
        Change("delivered", {"amount": "50", "unit": "personnel"}, personnel(50)),
        Change("priorities", ["civilians-and-women"] * 2, ("civilians-and-women",)),
        Change("kind", "police", PledgeKind.POLICE),
        Change("kind", "gift", INVALID),
        Change("beneficiary", None, None),
        Change("beneficiary", "MINUSCA", "MINUSCA"),
        Change("due_on", "2017-12-31", date(2017, 12, 31)),
        Change("due_on", "soon", INVALID),
        Change("reason", "the cabinet decision", "the cabinet decision"),
        Change("party", "FR", "FR"),
    )
    OPTIONAL = frozenset(
        {("Made", "beneficiary"), ("Made", "due_on"), ("Revised", "quantity"), ("Revised", "title")}
    )

    @initialize(
        party=st.sampled_from(["FR", "CA"]),
        by_admin=st.booleans(),
        amount=st.integers(1, 1000),
        effective_on=past_dates,
    )
    def make(self, party: str, by_admin: bool, amount: int, effective_on: date | None) -> None:
        ctx = self.context(ADMIN if by_admin else OFFICIALS[party], effective_on)
        data = {
            "roadmap_id": ROADMAP_ID,
            "party": party,
            "title": "Deploy soldiers",
            "kind": PledgeKind.PERSONNEL,
            "quantity": personnel(amount),
            "priorities": ("operations-support",),
            "beneficiary": None,
            "due_on": None,
        }
        pledge = Pledge.make(
            uuid4(),
            ROADMAP_ID,
            roadmap_state(),
            party=party,
            title="Deploy soldiers",
            kind=PledgeKind.PERSONNEL,
            quantity=personnel(amount),
            priorities=["operations-support"],
            beneficiary=None,
            due_on=None,
            ctx=ctx,
        )
        self.created(pledge, ctx, data)

    def step_errors(self, actor: Actor) -> list[Error]:
        state = self.expected_state()
        errors = self.live_errors() + party_errors(actor, state.party)
        if state.status == "withdrawn":
            errors.append(PledgeAlreadyWithdrawnError)
        if state.status == "fulfilled":
            errors.append(PledgeAlreadyFulfilledError)
        return errors

    @rule(
        actor=actors,
        amount=st.none() | amounts,
        unit=units,
        title=st.sampled_from([None, "Up to 750 soldiers", "Up to 500 soldiers"]),
        effective_on=effective_dates,
    )
    def revise(
        self,
        actor: Actor,
        amount: Decimal | None,
        unit: str,
        title: str | None,
        effective_on: date | None,
    ) -> None:
        quantity = None if amount is None else Quantity(amount, unit)
        errors = self.step_errors(actor)
        if quantity is None and title is None:
            errors.append(InvalidValueError)
        if quantity is not None and unit != self.expected_state().quantity.unit:
            errors.append(UnitMismatchError)
        self.attempt(
            lambda p, c: p.revise(quantity=quantity, title=title, reason="revised", ctx=c),
            self.context(actor, effective_on),
            errors,
            "Revised",
            {"quantity": quantity, "title": title, "reason": "revised"},
        )

    @rule(actor=actors, amount=amounts, unit=units, effective_on=effective_dates)
    def report_progress(
        self, actor: Actor, amount: Decimal, unit: str, effective_on: date | None
    ) -> None:
        state = self.expected_state()
        errors = self.step_errors(actor)
        if unit != state.quantity.unit:
            errors.append(UnitMismatchError)
        if amount < state.delivered.amount:
            errors.append(DeliveredDecreasedError)
        delivered = Quantity(amount, unit)
        self.attempt(
            lambda p, c: p.report_progress(delivered=delivered, ctx=c),
            self.context(actor, effective_on),
            errors,
            "ProgressReported",
            {"delivered": delivered},
        )

    @rule(
        actor=actors,
        effective_on=effective_dates,
        reason=st.sampled_from([None, "The mission closed before the last rotation"]),
    )
    def fulfil(self, actor: Actor, effective_on: date | None, reason: str | None) -> None:
        errors = self.step_errors(actor)
        state = self.expected_state()
        if reason is None and state.delivered.amount < state.quantity.amount:
            errors = [*errors, FulfilmentReasonRequiredError]  # short of the pledge: say why
        self.attempt(
            lambda p, c: p.fulfil(reason=reason, ctx=c),
            self.context(actor, effective_on),
            errors,
            "Fulfilled",
            # Version 2 of the event records the reason, None included (the upcaster gives
            # version 1's fulfilments None too).
            {"reason": reason},
        )

    @rule(actor=actors, effective_on=effective_dates)
    def withdraw(self, actor: Actor, effective_on: date | None) -> None:
        self.attempt(
            lambda p, c: p.withdraw(reason="budget", ctx=c),
            self.context(actor, effective_on),
            self.step_errors(actor),
            "Withdrawn",
            {"reason": "budget"},
        )

    def expected_state(self) -> PledgeState:
        made, *later = self.model.in_force()
        d = made.data
        quantity, title, status = d["quantity"], d["title"], "active"
        delivered = Quantity(Decimal(0), quantity.unit)
        for record in later:
            p = record.data
            if record.event_type == "Revised":
                quantity = p["quantity"] if p["quantity"] is not None else quantity
                title = p["title"] if p["title"] is not None else title
            elif record.event_type == "ProgressReported":
                delivered = p["delivered"]
            elif record.event_type == "Fulfilled":
                status = "fulfilled"
            elif record.event_type == "Withdrawn":
                status = "withdrawn"
        return PledgeState(
            roadmap_id=d["roadmap_id"],
            party=d["party"],
            title=title,
            kind=d["kind"],
            quantity=quantity,
            priorities=d["priorities"],
            beneficiary=d["beneficiary"],
            due_on=d["due_on"],
            delivered=delivered,
            status=status,
            made_on=made.effective_on,
        )


PledgeMachine.TestCase.settings = STEPS
TestPledgeMachine = PledgeMachine.TestCase
