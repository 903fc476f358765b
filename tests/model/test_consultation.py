"""Consultations: scheduled by the host, co-chairs invited and accepted, held or cancelled."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.model.consultation import Consultation
from domain.model.errors import (
    AlreadyCoChairError,
    DomainError,
    IllegalTransitionError,
    InvalidValueError,
    NotAuthorisedError,
    NotInvitedError,
    NotYourPartyError,
    UnknownPartyError,
    UnknownPriorityError,
)
from domain.model.texts import english
from domain.model.values import Actor, ConsultationKind
from tests.factories import (
    ADMIN,
    AUDITOR,
    CA_OFFICIAL,
    FR_OFFICIAL,
    US_OFFICIAL,
    accepted,
    ctx,
    new_consultation,
    refused,
    roadmap_state,
)

ROADMAP = roadmap_state()


def schedule(actor: Actor = FR_OFFICIAL, **overrides: Any) -> Consultation:
    fields: dict[str, Any] = {
        "kind": ConsultationKind.MINISTERIAL_CONFERENCE,
        "title": "Paris conference",
        "host_party": "FR",
        "location": "Paris",
        "starts_on": date(2016, 10, 26),
        "ends_on": date(2016, 10, 27),
        "priorities": ["civilians-and-women"],
        "ctx": ctx(actor),
    }
    fields.update(overrides)
    return Consultation.schedule(uuid4(), uuid4(), ROADMAP, **fields)


def test_scheduled_by_the_host() -> None:
    consultation = schedule()
    state = consultation.state
    assert (state.status, state.host_party, state.location) == ("scheduled", "FR", english("Paris"))
    assert (state.starts_on, state.ends_on) == (date(2016, 10, 26), date(2016, 10, 27))
    assert (state.invited_co_chairs, state.co_chairs, state.decisions) == ((), (), ())
    assert state.kind is ConsultationKind.MINISTERIAL_CONFERENCE
    assert isinstance(consultation.pending_events[0], Consultation.Scheduled)


@pytest.mark.parametrize(
    ("actor", "overrides", "error"),
    [
        (CA_OFFICIAL, {}, NotYourPartyError),
        (AUDITOR, {}, NotAuthorisedError),
        (US_OFFICIAL, {"host_party": "US"}, UnknownPartyError),
        (FR_OFFICIAL, {"priorities": ["climate"]}, UnknownPriorityError),
        (FR_OFFICIAL, {"ends_on": date(2016, 10, 25)}, InvalidValueError),
        (FR_OFFICIAL, {"location": ""}, InvalidValueError),
    ],
)
def test_refused_schedules(actor: Actor, overrides: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        schedule(actor, **overrides)


def test_the_paris_conference_co_chaired_by_canada_is_held() -> None:
    consultation = new_consultation()
    invited = accepted(
        consultation,
        lambda c: c.invite_co_chair(party="CA", roadmap=ROADMAP, ctx=ctx(FR_OFFICIAL)),
    )
    assert isinstance(invited, Consultation.CoChairInvited)
    assert consultation.state.invited_co_chairs == ("CA",)
    consultation.accept_co_chair(ctx=ctx(CA_OFFICIAL))
    accepted_state = consultation.state
    assert (accepted_state.invited_co_chairs, accepted_state.co_chairs) == ((), ("CA",))
    consultation.hold(summary="Declaration adopted", ctx=ctx(CA_OFFICIAL))  # a co-chair holds it
    held = consultation.state
    assert (held.status, held.summary) == ("held", english("Declaration adopted"))
    decision_id = uuid4()
    consultation.note_decision(decision_id=decision_id, ctx=ctx(CA_OFFICIAL))
    assert consultation.state.decisions == (decision_id,)


def test_rescheduled_by_the_host() -> None:
    consultation = new_consultation()
    consultation.reschedule(
        starts_on=date(2016, 11, 2), ends_on=date(2016, 11, 3), reason="strike", ctx=ctx(ADMIN)
    )
    assert (consultation.state.starts_on, consultation.state.ends_on) == (
        date(2016, 11, 2),
        date(2016, 11, 3),
    )
    with refused(consultation, InvalidValueError, "ends_on"):
        consultation.reschedule(
            starts_on=date(2016, 11, 2), ends_on=date(2016, 11, 1), reason="x", ctx=ctx(ADMIN)
        )
    with refused(consultation, NotYourPartyError):
        consultation.reschedule(
            starts_on=date(2016, 11, 2), ends_on=date(2016, 11, 3), reason="x", ctx=ctx(CA_OFFICIAL)
        )


@pytest.mark.parametrize(
    ("actor", "party", "error"),
    [
        (CA_OFFICIAL, "CA", NotYourPartyError),  # only the host invites
        (FR_OFFICIAL, "FR", InvalidValueError),  # the host chairs already
        (FR_OFFICIAL, "US", UnknownPartyError),
        (FR_OFFICIAL, "ca", InvalidValueError),
    ],
)
def test_refused_invitations(actor: Actor, party: str, error: type[DomainError]) -> None:
    consultation = new_consultation()
    with refused(consultation, error):
        consultation.invite_co_chair(party=party, roadmap=ROADMAP, ctx=ctx(actor))


def test_nobody_is_invited_or_accepts_twice() -> None:
    consultation = new_consultation()
    consultation.invite_co_chair(party="CA", roadmap=ROADMAP, ctx=ctx(FR_OFFICIAL))
    with refused(consultation, AlreadyCoChairError, "party"):
        consultation.invite_co_chair(party="CA", roadmap=ROADMAP, ctx=ctx(FR_OFFICIAL))
    consultation.accept_co_chair(ctx=ctx(CA_OFFICIAL))
    with refused(consultation, AlreadyCoChairError):
        consultation.accept_co_chair(ctx=ctx(CA_OFFICIAL))
    with refused(consultation, AlreadyCoChairError):
        consultation.invite_co_chair(party="CA", roadmap=ROADMAP, ctx=ctx(FR_OFFICIAL))


@pytest.mark.parametrize(
    ("actor", "error"),
    [
        (CA_OFFICIAL, NotInvitedError),
        (FR_OFFICIAL, NotInvitedError),
        (US_OFFICIAL, NotInvitedError),
        (AUDITOR, InvalidValueError),  # names no party to accept for
        (ADMIN, InvalidValueError),
    ],
)
def test_only_the_invited_accept(actor: Actor, error: type[DomainError]) -> None:
    consultation = new_consultation()
    with refused(consultation, error):
        consultation.accept_co_chair(ctx=ctx(actor))


def test_held_by_the_host_or_a_co_chair_only() -> None:
    consultation = new_consultation()
    with refused(consultation, NotYourPartyError):
        consultation.hold(summary="s", ctx=ctx(CA_OFFICIAL))
    consultation.hold(summary="s", ctx=ctx(FR_OFFICIAL))
    assert consultation.state.status == "held"


def test_decisions_only_at_a_held_consultation() -> None:
    consultation = new_consultation()
    with refused(consultation, IllegalTransitionError):
        consultation.note_decision(decision_id=uuid4(), ctx=ctx(FR_OFFICIAL))


def test_cancelled_by_the_host_only() -> None:
    consultation = new_consultation()
    with refused(consultation, NotYourPartyError):
        consultation.cancel(reason="r", ctx=ctx(CA_OFFICIAL))
    consultation.cancel(reason="elections", ctx=ctx(FR_OFFICIAL))
    assert consultation.state.status == "cancelled"


STEPS: dict[str, Any] = {
    "reschedule": lambda c: c.reschedule(
        starts_on=date(2016, 11, 2), ends_on=date(2016, 11, 3), reason="r", ctx=ctx(FR_OFFICIAL)
    ),
    "invite": lambda c: c.invite_co_chair(party="CA", roadmap=ROADMAP, ctx=ctx(FR_OFFICIAL)),
    "hold": lambda c: c.hold(summary="s", ctx=ctx(FR_OFFICIAL)),
    "cancel": lambda c: c.cancel(reason="r", ctx=ctx(FR_OFFICIAL)),
}


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("end", ["hold", "cancel"])
def test_no_scheduling_step_once_held_or_cancelled(step: str, end: str) -> None:
    consultation = new_consultation()
    STEPS[end](consultation)
    with refused(consultation, IllegalTransitionError):
        STEPS[step](consultation)


def test_no_decision_after_cancellation() -> None:
    consultation = new_consultation()
    consultation.cancel(reason="r", ctx=ctx(FR_OFFICIAL))
    with refused(consultation, IllegalTransitionError):
        consultation.note_decision(decision_id=uuid4(), ctx=ctx(FR_OFFICIAL))
