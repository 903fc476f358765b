"""Pledges: made by a party of the roadmap, revised, progress reported, fulfilled or withdrawn."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from domain.model.errors import (
    DeliveredDecreasedError,
    DomainError,
    FulfilmentReasonRequiredError,
    InvalidValueError,
    NotAuthorisedError,
    NotYourPartyError,
    PledgeAlreadyFulfilledError,
    PledgeAlreadyWithdrawnError,
    UnitMismatchError,
    UnknownPartyError,
    UnknownPriorityError,
)
from domain.model.pledge import Pledge, PledgeState
from domain.model.texts import english
from domain.model.values import Actor, PledgeKind, Quantity
from tests.factories import (
    ADMIN,
    AUDITOR,
    CA_OFFICIAL,
    CANADA_PLEDGE_ON,
    FR_AUDITOR,
    FR_OFFICIAL,
    US_OFFICIAL,
    accepted,
    ctx,
    new_pledge,
    personnel,
    refused,
    roadmap_state,
)


def make(actor: Actor = CA_OFFICIAL, **overrides: Any) -> Pledge:
    fields: dict[str, Any] = {
        "party": "CA",
        "title": "Deploy up to 600 soldiers",
        "kind": PledgeKind.PERSONNEL,
        "quantity": personnel(600),
        "priorities": ["operations-support"],
        "beneficiary": None,
        "due_on": None,
        "ctx": ctx(actor),
    }
    fields.update(overrides)
    return Pledge.make(uuid4(), uuid4(), roadmap_state(), **fields)


def test_made_by_an_official_of_the_party() -> None:
    roadmap_id = uuid4()
    pledge = Pledge.make(
        uuid4(),
        roadmap_id,
        roadmap_state(),
        party="CA",
        title=english("Deploy up to 600 soldiers"),
        kind=PledgeKind.PERSONNEL,
        quantity=personnel(600),
        priorities=["operations-support", "military-performance", "operations-support"],
        beneficiary="MINUSMA",
        due_on=date(2017, 12, 31),
        ctx=ctx(CA_OFFICIAL, effective_on=CANADA_PLEDGE_ON),
    )
    assert pledge.state == PledgeState(
        roadmap_id=roadmap_id,
        party="CA",
        title=english("Deploy up to 600 soldiers"),
        kind=PledgeKind.PERSONNEL,
        quantity=personnel(600),
        priorities=("operations-support", "military-performance"),
        beneficiary="MINUSMA",
        due_on=date(2017, 12, 31),
        delivered=personnel(0),
        status="active",
        made_on=CANADA_PLEDGE_ON,
    )
    (event,) = pledge.pending_events
    assert isinstance(event, Pledge.Made)
    assert event.effective_on == CANADA_PLEDGE_ON
    assert event.actor_party == "CA"


def test_an_admin_makes_a_pledge_for_any_party() -> None:
    assert make(ADMIN).state.party == "CA"


@pytest.mark.parametrize(
    ("actor", "overrides", "error"),
    [
        (FR_OFFICIAL, {}, NotYourPartyError),  # a French official cannot make Canada's pledge
        (AUDITOR, {}, NotAuthorisedError),
        (US_OFFICIAL, {"party": "US"}, UnknownPartyError),
        (CA_OFFICIAL, {"priorities": ["climate"]}, UnknownPriorityError),
        (CA_OFFICIAL, {"party": "ca"}, InvalidValueError),
        (CA_OFFICIAL, {"title": ""}, InvalidValueError),
        (CA_OFFICIAL, {"ctx": ctx(CA_OFFICIAL, effective_on=date(2027, 1, 1))}, InvalidValueError),
    ],
)
def test_refused_pledges(actor: Actor, overrides: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        make(actor, **overrides)


def test_revised() -> None:
    pledge = new_pledge()
    event = accepted(
        pledge,
        lambda p: p.revise(
            quantity=personnel(750), title=None, reason="cabinet", ctx=ctx(CA_OFFICIAL)
        ),
    )
    assert isinstance(event, Pledge.Revised)
    assert pledge.state.quantity == personnel(750)
    assert pledge.state.title == english("Deploy up to 600 soldiers to UN peace operations")
    pledge.revise(quantity=None, title="Up to 750 soldiers", reason="x", ctx=ctx(CA_OFFICIAL))
    assert pledge.state.title == english("Up to 750 soldiers")
    assert pledge.state.quantity == personnel(750)
    assert pledge.version == 3


def test_a_revision_changes_something_in_the_same_unit() -> None:
    pledge = new_pledge()
    with refused(pledge, InvalidValueError, "quantity"):
        pledge.revise(quantity=None, title=None, reason="nothing", ctx=ctx(CA_OFFICIAL))
    with refused(pledge, UnitMismatchError, "quantity.unit"):
        pledge.revise(
            quantity=Quantity(Decimal(5), "CAD"), title=None, reason="x", ctx=ctx(CA_OFFICIAL)
        )
    with refused(pledge, InvalidValueError, "reason"):
        pledge.revise(quantity=personnel(5), title=None, reason="", ctx=ctx(CA_OFFICIAL))


def test_progress_is_cumulative_in_the_pledge_unit() -> None:
    pledge = new_pledge()
    pledge.report_progress(delivered=personnel(100), ctx=ctx(CA_OFFICIAL))
    pledge.report_progress(delivered=personnel(100), ctx=ctx(CA_OFFICIAL))
    pledge.report_progress(delivered=personnel("250.5"), ctx=ctx(CA_OFFICIAL))
    assert pledge.state.delivered == personnel("250.5")
    with refused(pledge, DeliveredDecreasedError, "delivered.amount"):
        pledge.report_progress(delivered=personnel(250), ctx=ctx(CA_OFFICIAL))
    with refused(pledge, UnitMismatchError, "delivered.unit"):
        pledge.report_progress(delivered=Quantity(Decimal(300), "CAD"), ctx=ctx(CA_OFFICIAL))


def test_fulfilled() -> None:
    pledge = new_pledge()
    pledge.report_progress(delivered=personnel(600), ctx=ctx(CA_OFFICIAL))
    fulfilled = accepted(pledge, lambda p: p.fulfil(ctx=ctx(CA_OFFICIAL)))
    assert isinstance(fulfilled, Pledge.Fulfilled)
    assert fulfilled.reason is None
    assert pledge.entries[-1].payload == {"reason": None}  # no reason needed in full
    assert pledge.state.status == "fulfilled"


def test_fulfilled_short_of_the_pledge_needs_a_reason() -> None:
    pledge = new_pledge()
    pledge.report_progress(delivered=personnel(60), ctx=ctx(CA_OFFICIAL))
    for reason in (None, "", "   "):
        with refused(pledge, FulfilmentReasonRequiredError, "reason"):
            pledge.fulfil(reason=reason, ctx=ctx(CA_OFFICIAL))
    with pytest.raises(FulfilmentReasonRequiredError, match="60 of the 600 personnel"):
        pledge.fulfil(ctx=ctx(CA_OFFICIAL))
    reason = "MINUSMA closed: 60 deployed before the withdrawal"
    fulfilled = accepted(pledge, lambda p: p.fulfil(reason=reason, ctx=ctx(CA_OFFICIAL)))
    assert isinstance(fulfilled, Pledge.Fulfilled)
    assert fulfilled.reason == english(reason)
    assert pledge.entries[-1].payload == {"reason": english(reason)}
    assert pledge.state.status == "fulfilled"


def test_progress_beyond_the_pledge_is_accepted_and_flagged() -> None:
    pledge = new_pledge()
    pledge.report_progress(delivered=personnel(600), ctx=ctx(CA_OFFICIAL))
    assert pledge.state.derived() == {"over_delivered": False}
    pledge.report_progress(delivered=personnel(650), ctx=ctx(CA_OFFICIAL))
    assert pledge.state.delivered == personnel(650)
    assert pledge.state.derived() == {"over_delivered": True}


def test_withdrawn() -> None:
    pledge = new_pledge()
    pledge.withdraw(reason="budget", ctx=ctx(ADMIN))
    assert pledge.state.status == "withdrawn"
    assert pledge.entries[-1].actor == "admin"


COMMANDS: dict[str, Any] = {
    "revise": lambda p, c: p.revise(quantity=personnel(1), title=None, reason="r", ctx=c),
    "report_progress": lambda p, c: p.report_progress(delivered=personnel(1), ctx=c),
    "fulfil": lambda p, c: p.fulfil(reason="closed early", ctx=c),
    "withdraw": lambda p, c: p.withdraw(reason="r", ctx=c),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("end", "error"),
    [("withdraw", PledgeAlreadyWithdrawnError), ("fulfil", PledgeAlreadyFulfilledError)],
)
def test_no_step_after_the_end(command: str, end: str, error: type[DomainError]) -> None:
    pledge = new_pledge()
    COMMANDS[end](pledge, ctx(CA_OFFICIAL))
    with refused(pledge, error):
        COMMANDS[command](pledge, ctx(CA_OFFICIAL))


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("actor", "error"),
    [
        (FR_OFFICIAL, NotYourPartyError),
        (US_OFFICIAL, NotYourPartyError),
        (FR_AUDITOR, NotAuthorisedError),
        (AUDITOR, NotAuthorisedError),
    ],
)
def test_only_the_pledging_party_acts_on_it(
    command: str, actor: Actor, error: type[DomainError]
) -> None:
    pledge = new_pledge()
    with refused(pledge, error):
        COMMANDS[command](pledge, ctx(actor))


@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_effective_in_the_future_is_refused(command: str) -> None:
    pledge = new_pledge()
    with refused(pledge, InvalidValueError, "effective_on"):
        COMMANDS[command](pledge, ctx(CA_OFFICIAL, effective_on=date(2026, 3, 3)))
