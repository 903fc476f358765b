"""The roadmap: adopted by one of its parties, with distinct parties and priorities."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.model.errors import (
    DomainError,
    InvalidCorrectionError,
    InvalidValueError,
    NotAuthorisedError,
    NotYourPartyError,
    UnknownPartyError,
    UnknownPriorityError,
)
from domain.model.roadmap import Roadmap
from domain.model.texts import english
from domain.model.values import Actor, Priority
from tests.factories import (
    ADMIN,
    ADOPTED_ON,
    AUDITOR,
    CA_OFFICIAL,
    FR_OFFICIAL,
    PRIORITIES,
    RECORDED_AT,
    ROADMAP_TITLE,
    US_OFFICIAL,
    ctx,
    new_roadmap,
    refused,
    roadmap_state,
)


def adopt(actor: Actor = FR_OFFICIAL, **overrides: Any) -> Roadmap:
    fields: dict[str, Any] = {
        "title": ROADMAP_TITLE,
        "parties": ["FR", "CA"],
        "adopted_on": ADOPTED_ON,
        "priorities": list(PRIORITIES),
        "summary": None,
        "ctx": ctx(actor),
    }
    fields.update(overrides)
    return Roadmap.adopt(uuid4(), **fields)


@pytest.mark.parametrize("actor", [FR_OFFICIAL, CA_OFFICIAL, ADMIN])
def test_adopted_by_a_party_or_an_admin(actor: Actor) -> None:
    roadmap = adopt(actor)
    assert roadmap.version == 1
    (event,) = roadmap.pending_events
    assert isinstance(event, Roadmap.Adopted)
    assert event.parties == ("FR", "CA")
    assert event.priorities == PRIORITIES
    assert event.actor == actor.subject
    assert event.timestamp == RECORDED_AT
    assert roadmap.state == roadmap_state()


def test_in_effect_from_its_adoption_unless_told_otherwise() -> None:
    assert adopt().entries[0].effective_on == ADOPTED_ON
    later = adopt(ctx=ctx(FR_OFFICIAL, effective_on=date(2016, 10, 20)))
    assert later.entries[0].effective_on == date(2016, 10, 20)


@pytest.mark.parametrize(
    ("actor", "error"),
    [(US_OFFICIAL, NotYourPartyError), (AUDITOR, NotAuthorisedError)],
)
def test_not_adopted_by_others(actor: Actor, error: type[DomainError]) -> None:
    with pytest.raises(error):
        adopt(actor)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"parties": ["FR"]}, "parties"),
        ({"parties": ["FR", "FR"]}, "parties"),
        ({"parties": ["FR", "can"]}, "parties"),
        ({"priorities": []}, "priorities"),
        ({"priorities": [PRIORITIES[0], PRIORITIES[0]]}, "priorities"),
        ({"adopted_on": date(2026, 3, 3)}, "adopted_on"),
        ({"title": " "}, "title"),
    ],
)
def test_invalid_roadmaps_are_refused(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValueError) as raised:
        adopt(**overrides)
    assert raised.value.field == field


def test_state_knows_its_parties_and_priorities() -> None:
    state = roadmap_state()
    state.require_party("CA")
    with pytest.raises(UnknownPartyError) as raised:
        state.require_party("US", "to_party")
    assert raised.value.field == "to_party"
    assert state.require_priorities(("civilians-and-women", "civilians-and-women")) == (
        "civilians-and-women",
    )
    with pytest.raises(UnknownPriorityError, match="climate") as unknown:
        state.require_priorities(("climate", "preventive-diplomacy"))
    assert unknown.value.field == "priorities"


def test_a_correction_of_its_priorities_keeps_at_least_one() -> None:
    roadmap = new_roadmap()
    with refused(roadmap, InvalidValueError, "changes.priorities"):
        roadmap.correct(1, {"priorities": []}, "typo", ctx(FR_OFFICIAL))
    roadmap.correct(
        1,
        {"priorities": [{"code": "preventive-diplomacy", "title": "Diplomacy"}]},
        "fewer",
        ctx(FR_OFFICIAL),
    )
    assert roadmap.state.priorities == (Priority("preventive-diplomacy", english("Diplomacy")),)


def test_its_parties_cannot_be_corrected() -> None:
    roadmap = new_roadmap()
    with refused(roadmap, InvalidCorrectionError, "changes.parties"):
        roadmap.correct(1, {"parties": ["FR", "US"]}, "typo", ctx(FR_OFFICIAL))
