"""Decisions: agreed once every party of the roadmap endorsed them; nobody endorses twice."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.model.decision import Decision, DecisionState
from domain.model.errors import (
    AlreadyEndorsedError,
    DomainError,
    InvalidValueError,
    NotAuthorisedError,
    NotYourPartyError,
    UnknownPriorityError,
)
from domain.model.texts import english
from domain.model.values import Actor
from tests.factories import (
    ADMIN,
    AUDITOR,
    CA_OFFICIAL,
    FR_AUDITOR,
    FR_OFFICIAL,
    US_OFFICIAL,
    accepted,
    ctx,
    new_decision,
    refused,
    roadmap_state,
)


def test_the_recording_party_counts_as_endorsing() -> None:
    roadmap_id, consultation_id, decision_id = uuid4(), uuid4(), uuid4()
    decision = Decision.record(
        decision_id,
        roadmap_id,
        roadmap_state(),
        consultation_id,
        text_="A yearly consultation",
        priorities=["preventive-diplomacy"],
        ctx=ctx(FR_OFFICIAL),
    )
    assert decision.id == decision_id
    assert decision.state == DecisionState(
        roadmap_id=roadmap_id,
        consultation_id=consultation_id,
        text=english("A yearly consultation"),
        priorities=("preventive-diplomacy",),
        parties=("FR", "CA"),
        recorded_by="FR",
        endorsements=("FR",),
        status="proposed",
    )


def test_agreed_once_every_party_endorsed() -> None:
    decision = new_decision(FR_OFFICIAL)
    event = accepted(decision, lambda d: d.endorse(ctx=ctx(CA_OFFICIAL)))
    assert isinstance(event, Decision.Endorsed)
    assert event.party == "CA"
    assert decision.state.endorsements == ("FR", "CA")
    assert decision.state.status == "agreed"


def test_recorded_by_an_admin_needs_both_parties() -> None:
    decision = new_decision(ADMIN)
    assert decision.state.recorded_by is None
    assert decision.state.endorsements == ()
    decision.endorse(ctx=ctx(CA_OFFICIAL))
    assert decision.state.status == "proposed"
    decision.endorse(ctx=ctx(FR_OFFICIAL))
    assert decision.state.status == "agreed"


@pytest.mark.parametrize("recorder", [FR_OFFICIAL, CA_OFFICIAL])
def test_nobody_endorses_twice(recorder: Actor) -> None:
    decision = new_decision(recorder)
    with refused(decision, AlreadyEndorsedError):
        decision.endorse(ctx=ctx(recorder))
    other = CA_OFFICIAL if recorder is FR_OFFICIAL else FR_OFFICIAL
    decision.endorse(ctx=ctx(other))
    with refused(decision, AlreadyEndorsedError):
        decision.endorse(ctx=ctx(other))


@pytest.mark.parametrize(
    ("actor", "error"),
    [
        (US_OFFICIAL, NotYourPartyError),
        (ADMIN, NotAuthorisedError),  # an endorsement is a party's
        (FR_AUDITOR, NotAuthorisedError),
        (AUDITOR, NotAuthorisedError),
    ],
)
def test_only_officials_of_roadmap_parties_endorse(actor: Actor, error: type[DomainError]) -> None:
    decision = new_decision(FR_OFFICIAL)
    with refused(decision, error):
        decision.endorse(ctx=ctx(actor))


@pytest.mark.parametrize(
    ("actor", "priorities", "text", "error"),
    [
        (US_OFFICIAL, ["preventive-diplomacy"], "t", NotYourPartyError),
        (AUDITOR, ["preventive-diplomacy"], "t", NotAuthorisedError),
        (FR_OFFICIAL, ["climate"], "t", UnknownPriorityError),
        (FR_OFFICIAL, ["preventive-diplomacy"], "", InvalidValueError),
    ],
)
def test_refused_decisions(
    actor: Actor, priorities: list[str], text: str, error: type[DomainError]
) -> None:
    with pytest.raises(error):
        Decision.record(
            uuid4(),
            uuid4(),
            roadmap_state(),
            uuid4(),
            text_=text,
            priorities=priorities,
            ctx=ctx(actor),
        )
