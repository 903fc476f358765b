"""Exchanges: proposed by the sending party, agreed by the receiving one, started, completed."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.model.errors import (
    DomainError,
    IllegalTransitionError,
    InvalidValueError,
    NotAuthorisedError,
    NotYourPartyError,
    OnlyReceivingPartyAgreesError,
    UnknownPartyError,
)
from domain.model.exchange import Exchange
from domain.model.values import Actor, ExchangeCategory
from tests.factories import (
    ADMIN,
    AUDITOR,
    CA_OFFICIAL,
    FR_OFFICIAL,
    US_OFFICIAL,
    accepted,
    ctx,
    new_exchange,
    refused,
    roadmap_state,
)


def propose(actor: Actor = FR_OFFICIAL, **overrides: Any) -> Exchange:
    fields: dict[str, Any] = {
        "category": ExchangeCategory.DIPLOMAT,
        "from_party": "FR",
        "to_party": "CA",
        "participants": 2,
        "starts_on": date(2017, 1, 9),
        "ends_on": date(2017, 6, 30),
        "title": "Diplomats",
        "ctx": ctx(actor),
    }
    fields.update(overrides)
    return Exchange.propose(uuid4(), uuid4(), roadmap_state(), **fields)


def test_proposed_by_the_sending_party() -> None:
    exchange = propose()
    state = exchange.state
    assert (state.from_party, state.to_party, state.participants) == ("FR", "CA", 2)
    assert state.status == "proposed"
    assert state.category is ExchangeCategory.DIPLOMAT
    assert isinstance(exchange.pending_events[0], Exchange.Proposed)


@pytest.mark.parametrize(
    ("actor", "overrides", "error", "field"),
    [
        (CA_OFFICIAL, {}, NotYourPartyError, None),
        (AUDITOR, {}, NotAuthorisedError, None),
        (FR_OFFICIAL, {"to_party": "US"}, UnknownPartyError, "to_party"),
        (US_OFFICIAL, {"from_party": "US"}, UnknownPartyError, "from_party"),
        (FR_OFFICIAL, {"to_party": "FR"}, InvalidValueError, "to_party"),
        (FR_OFFICIAL, {"participants": 0}, InvalidValueError, "participants"),
        (FR_OFFICIAL, {"participants": 100_001}, InvalidValueError, "participants"),
        (FR_OFFICIAL, {"participants": True}, InvalidValueError, "participants"),
        (FR_OFFICIAL, {"ends_on": date(2017, 1, 8)}, InvalidValueError, "ends_on"),
    ],
)
def test_refused_proposals(
    actor: Actor, overrides: dict[str, Any], error: type[DomainError], field: str | None
) -> None:
    with pytest.raises(error) as raised:
        propose(actor, **overrides)
    assert raised.value.field == field


def test_the_whole_way() -> None:
    exchange = new_exchange()
    assert isinstance(accepted(exchange, lambda e: e.agree(ctx=ctx(CA_OFFICIAL))), Exchange.Agreed)
    assert exchange.state.status == "agreed"
    exchange.start(ctx=ctx(FR_OFFICIAL))
    assert exchange.state.status == "in-progress"
    exchange.complete(ctx=ctx(CA_OFFICIAL))
    assert exchange.state.status == "completed"
    assert exchange.version == 4


@pytest.mark.parametrize(
    ("actor", "error"),
    [
        (FR_OFFICIAL, OnlyReceivingPartyAgreesError),  # the sending party cannot agree
        (US_OFFICIAL, OnlyReceivingPartyAgreesError),
        (AUDITOR, NotAuthorisedError),
    ],
)
def test_only_the_receiving_party_agrees(actor: Actor, error: type[DomainError]) -> None:
    exchange = new_exchange()
    with refused(exchange, error):
        exchange.agree(ctx=ctx(actor))


def test_an_admin_may_agree() -> None:
    exchange = new_exchange()
    exchange.agree(ctx=ctx(ADMIN))
    assert exchange.state.status == "agreed"


def test_started_and_cancelled_only_by_its_parties() -> None:
    exchange = new_exchange()
    exchange.agree(ctx=ctx(CA_OFFICIAL))
    with refused(exchange, NotYourPartyError):
        exchange.start(ctx=ctx(US_OFFICIAL))
    with refused(exchange, NotYourPartyError):
        exchange.cancel(reason="r", ctx=ctx(US_OFFICIAL))
    exchange.cancel(reason="r", ctx=ctx(CA_OFFICIAL))
    assert exchange.state.status == "cancelled"


STEPS: dict[str, Any] = {
    "agree": lambda e: e.agree(ctx=ctx(CA_OFFICIAL)),
    "start": lambda e: e.start(ctx=ctx(FR_OFFICIAL)),
    "complete": lambda e: e.complete(ctx=ctx(FR_OFFICIAL)),
    "cancel": lambda e: e.cancel(reason="r", ctx=ctx(FR_OFFICIAL)),
}
#: (steps taken first, step then refused)
ILLEGAL = [
    ((), "start"),
    ((), "complete"),
    (("agree",), "agree"),
    (("agree",), "complete"),
    (("agree", "start"), "agree"),
    (("agree", "start"), "start"),
    (("agree", "start", "complete"), "cancel"),
    (("agree", "start", "complete"), "complete"),
    (("cancel",), "agree"),
    (("cancel",), "cancel"),
    (("agree", "cancel"), "start"),
]


@pytest.mark.parametrize(("before", "step"), ILLEGAL)
def test_illegal_transitions(before: tuple[str, ...], step: str) -> None:
    exchange = new_exchange()
    for earlier in before:
        STEPS[earlier](exchange)
    with refused(exchange, IllegalTransitionError):
        STEPS[step](exchange)
