"""Assessments: shared by one party, acknowledged by the other, superseded or withdrawn."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.model.assessment import Assessment
from domain.model.errors import (
    DomainError,
    IllegalTransitionError,
    InvalidCorrectionError,
    InvalidSupersessionError,
    InvalidValueError,
    ItemRetractedError,
    NotAuthorisedError,
    NotYourPartyError,
    OnlyReceivingPartyAcknowledgesError,
    UnknownPartyError,
    UnknownPriorityError,
)
from domain.model.texts import english
from domain.model.values import Actor, Marking
from tests.factories import (
    ADMIN,
    AUDITOR,
    CA_OFFICIAL,
    FR_OFFICIAL,
    RECORDED_AT,
    US_OFFICIAL,
    accepted,
    ctx,
    new_assessment,
    refused,
    roadmap_state,
)

TODAY = RECORDED_AT.date()


def share(actor: Actor = FR_OFFICIAL, **overrides: Any) -> Assessment:
    fields: dict[str, Any] = {
        "from_party": "FR",
        "to_party": "CA",
        "title": "Situation in the Central African Republic",
        "subject": "MINUSCA",
        "priorities": ["civilians-and-women"],
        "summary": "Armed groups still control most of the east.",
        "marking": Marking.UNCLASSIFIED,
        "shared_on": date(2017, 5, 2),
        "ctx": ctx(actor),
    }
    fields.update(overrides)
    return Assessment.share(uuid4(), uuid4(), roadmap_state(), **fields)


def pair(*, newer_on: date = date(2018, 1, 15)) -> tuple[Assessment, Assessment]:
    """An assessment by France and a later one of France under the same roadmap."""
    older = new_assessment()
    newer = new_assessment(roadmap_id=older.state.roadmap_id, shared_on=newer_on)
    return older, newer


# --- sharing -------------------------------------------------------------------------------


def test_shared_by_the_sending_party() -> None:
    assessment = share(priorities=["civilians-and-women", "preventive-diplomacy"])
    state = assessment.state
    assert (state.from_party, state.to_party, state.subject) == ("FR", "CA", english("MINUSCA"))
    assert state.priorities == ("civilians-and-women", "preventive-diplomacy")
    assert state.marking is Marking.UNCLASSIFIED
    assert (state.status, state.superseded_by) == ("shared", None)
    assert isinstance(assessment.pending_events[0], Assessment.Shared)


def test_in_effect_from_the_day_it_was_shared_unless_told_otherwise() -> None:
    assert share().entries[0].effective_on == date(2017, 5, 2)
    told = share(ctx=ctx(FR_OFFICIAL, effective_on=date(2017, 5, 3)))
    assert told.entries[0].effective_on == date(2017, 5, 3)


def test_priorities_are_kept_once_each() -> None:
    assessment = share(priorities=["preventive-diplomacy", "preventive-diplomacy"])
    assert assessment.state.priorities == ("preventive-diplomacy",)


def test_a_marking_given_as_its_text_is_the_enum() -> None:
    assert share(marking="restricted").state.marking is Marking.RESTRICTED


def test_shared_today_is_not_in_the_future() -> None:
    assert share(shared_on=TODAY).state.shared_on == TODAY


def test_an_admin_shares_for_either_party() -> None:
    assert share(ADMIN, from_party="CA", to_party="FR").state.from_party == "CA"


@pytest.mark.parametrize(
    ("actor", "overrides", "error", "field"),
    [
        (CA_OFFICIAL, {}, NotYourPartyError, None),
        (AUDITOR, {}, NotAuthorisedError, None),
        (FR_OFFICIAL, {"to_party": "US"}, UnknownPartyError, "to_party"),
        (US_OFFICIAL, {"from_party": "US"}, UnknownPartyError, "from_party"),
        (FR_OFFICIAL, {"to_party": "FR"}, InvalidValueError, "to_party"),
        (FR_OFFICIAL, {"from_party": "fr"}, InvalidValueError, "from_party"),
        (FR_OFFICIAL, {"priorities": ["climate"]}, UnknownPriorityError, "priorities"),
        (FR_OFFICIAL, {"marking": "confidential"}, InvalidValueError, "marking"),
        (FR_OFFICIAL, {"shared_on": TODAY + timedelta(days=1)}, InvalidValueError, "shared_on"),
        (FR_OFFICIAL, {"title": " "}, InvalidValueError, "title"),
        (FR_OFFICIAL, {"subject": ""}, InvalidValueError, "subject"),
        (FR_OFFICIAL, {"subject": "x" * 201}, InvalidValueError, "subject"),
        (FR_OFFICIAL, {"summary": ""}, InvalidValueError, "summary"),
    ],
)
def test_refused_shares(
    actor: Actor, overrides: dict[str, Any], error: type[DomainError], field: str | None
) -> None:
    with pytest.raises(error) as raised:
        share(actor, **overrides)
    assert raised.value.field == field


# --- acknowledgement and withdrawal ---------------------------------------------------------


def test_acknowledged_by_the_receiving_party() -> None:
    assessment = new_assessment()
    event = accepted(assessment, lambda a: a.acknowledge(ctx=ctx(CA_OFFICIAL)))
    assert isinstance(event, Assessment.Acknowledged)
    assert assessment.state.status == "acknowledged"
    assert assessment.version == 2


@pytest.mark.parametrize(
    ("actor", "error"),
    [
        (FR_OFFICIAL, OnlyReceivingPartyAcknowledgesError),  # the sharing party cannot
        (US_OFFICIAL, OnlyReceivingPartyAcknowledgesError),
        (AUDITOR, NotAuthorisedError),
    ],
)
def test_only_the_receiving_party_acknowledges(actor: Actor, error: type[DomainError]) -> None:
    assessment = new_assessment()
    with refused(assessment, error):
        assessment.acknowledge(ctx=ctx(actor))


def test_an_admin_may_acknowledge() -> None:
    assessment = new_assessment()
    assessment.acknowledge(ctx=ctx(ADMIN))
    assert assessment.state.status == "acknowledged"


@pytest.mark.parametrize("acknowledged", [False, True])
def test_withdrawn_by_the_sharing_party(acknowledged: bool) -> None:
    assessment = new_assessment()
    if acknowledged:
        assessment.acknowledge(ctx=ctx(CA_OFFICIAL))
    event = accepted(assessment, lambda a: a.withdraw(reason="Overtaken", ctx=ctx(FR_OFFICIAL)))
    assert isinstance(event, Assessment.Withdrawn)
    assert event.reason == english("Overtaken")
    assert assessment.state.status == "withdrawn"


@pytest.mark.parametrize(
    ("actor", "reason", "error"),
    [
        (CA_OFFICIAL, "r", NotYourPartyError),  # the receiving party cannot withdraw it
        (US_OFFICIAL, "r", NotYourPartyError),
        (AUDITOR, "r", NotAuthorisedError),
        (FR_OFFICIAL, "", InvalidValueError),
    ],
)
def test_refused_withdrawals(actor: Actor, reason: str, error: type[DomainError]) -> None:
    assessment = new_assessment()
    with refused(assessment, error):
        assessment.withdraw(reason=reason, ctx=ctx(actor))


# --- supersession ---------------------------------------------------------------------------


@pytest.mark.parametrize("acknowledged", [False, True])
def test_superseded_by_a_newer_assessment_of_the_same_party(acknowledged: bool) -> None:
    older, newer = pair()
    if acknowledged:
        older.acknowledge(ctx=ctx(CA_OFFICIAL))
    event = accepted(older, lambda a: a.supersede(by=newer.id, newer=newer.state, ctx=ctx(ADMIN)))
    assert isinstance(event, Assessment.Superseded)
    assert event.by == newer.id
    assert (older.state.status, older.state.superseded_by) == ("superseded", newer.id)


def test_an_assessment_of_the_same_day_supersedes() -> None:
    older, newer = pair(newer_on=date(2017, 3, 1))
    older.supersede(by=newer.id, newer=newer.state, ctx=ctx(FR_OFFICIAL))
    assert older.state.status == "superseded"


def test_an_acknowledged_assessment_supersedes() -> None:
    older, newer = pair()
    newer.acknowledge(ctx=ctx(CA_OFFICIAL))
    older.supersede(by=newer.id, newer=newer.state, ctx=ctx(FR_OFFICIAL))
    assert older.state.superseded_by == newer.id


def test_only_the_sharing_party_supersedes() -> None:
    older, newer = pair()
    for actor, error in ((CA_OFFICIAL, NotYourPartyError), (AUDITOR, NotAuthorisedError)):
        with refused(older, error):
            older.supersede(by=newer.id, newer=newer.state, ctx=ctx(actor))


def _withdrawn(item: Assessment) -> Assessment:
    item.withdraw(reason="r", ctx=ctx(FR_OFFICIAL))
    return item


def _superseded(item: Assessment) -> Assessment:
    latest = new_assessment(roadmap_id=item.state.roadmap_id, shared_on=date(2019, 1, 1))
    item.supersede(by=latest.id, newer=latest.state, ctx=ctx(FR_OFFICIAL))
    return item


#: How the named newer assessment is made unfit, and the field of the refusal.
UNFIT: dict[str, Any] = {
    "another roadmap": lambda older: new_assessment(shared_on=date(2018, 1, 1)),
    "another party": lambda older: new_assessment(
        CA_OFFICIAL,
        from_party="CA",
        to_party="FR",
        roadmap_id=older.state.roadmap_id,
        shared_on=date(2018, 1, 1),
    ),
    "shared earlier": lambda older: new_assessment(
        roadmap_id=older.state.roadmap_id, shared_on=date(2017, 2, 28)
    ),
    "withdrawn": lambda older: _withdrawn(new_assessment(roadmap_id=older.state.roadmap_id)),
    "superseded": lambda older: _superseded(new_assessment(roadmap_id=older.state.roadmap_id)),
}


@pytest.mark.parametrize("unfit", UNFIT)
def test_refused_supersessions(unfit: str) -> None:
    older = new_assessment()
    newer = UNFIT[unfit](older)
    with refused(older, InvalidSupersessionError, field="by"):
        older.supersede(by=newer.id, newer=newer.state, ctx=ctx(FR_OFFICIAL))


def test_an_assessment_does_not_supersede_itself() -> None:
    assessment = new_assessment()
    with refused(assessment, InvalidSupersessionError, field="by"):
        assessment.supersede(by=assessment.id, newer=assessment.state, ctx=ctx(FR_OFFICIAL))


def test_no_cycle_of_supersessions() -> None:
    older, newer = pair(newer_on=date(2017, 3, 1))
    older.supersede(by=newer.id, newer=newer.state, ctx=ctx(FR_OFFICIAL))
    with refused(newer, InvalidSupersessionError, field="by"):
        newer.supersede(by=older.id, newer=older.state, ctx=ctx(FR_OFFICIAL))


# --- illegal transitions --------------------------------------------------------------------

STEPS: dict[str, Any] = {
    "acknowledge": lambda a: a.acknowledge(ctx=ctx(CA_OFFICIAL)),
    "supersede": _superseded,
    "withdraw": lambda a: a.withdraw(reason="r", ctx=ctx(FR_OFFICIAL)),
}
#: (steps taken first, step then refused)
ILLEGAL = [
    (("acknowledge",), "acknowledge"),
    (("withdraw",), "acknowledge"),
    (("withdraw",), "supersede"),
    (("withdraw",), "withdraw"),
    (("supersede",), "acknowledge"),
    (("supersede",), "supersede"),
    (("supersede",), "withdraw"),
    (("acknowledge", "withdraw"), "supersede"),
    (("acknowledge", "supersede"), "withdraw"),
]


@pytest.mark.parametrize(("before", "step"), ILLEGAL)
def test_illegal_transitions(before: tuple[str, ...], step: str) -> None:
    assessment = new_assessment()
    for earlier in before:
        STEPS[earlier](assessment)
    with refused(assessment, IllegalTransitionError):
        STEPS[step](assessment)


@pytest.mark.parametrize("step", STEPS)
def test_a_retracted_assessment_takes_no_step(step: str) -> None:
    assessment = new_assessment()
    assessment.retract(1, "shared by mistake", ctx(FR_OFFICIAL))
    with refused(assessment, ItemRetractedError):
        STEPS[step](assessment)


# --- corrections and retractions ------------------------------------------------------------


def test_a_correction_changes_the_analysis() -> None:
    assessment = new_assessment()
    assessment.correct(
        1,
        {
            "subject": "Mali",
            "marking": "unclassified",
            "priorities": ["operations-support", "operations-support"],
            "shared_on": "2017-02-27",
        },
        "typo",
        ctx(FR_OFFICIAL),
    )
    state = assessment.state
    assert (state.subject, state.marking) == (english("Mali"), Marking.UNCLASSIFIED)
    assert state.marking is Marking.UNCLASSIFIED
    assert state.priorities == ("operations-support",)
    assert state.shared_on == date(2017, 2, 27)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"marking": "secret"}, "changes.marking"),
        ({"shared_on": str(TODAY + timedelta(days=1))}, "changes.shared_on"),
        ({"from_party": "CA"}, "changes.from_party"),
        ({"to_party": "FR"}, "changes.to_party"),
    ],
)
def test_refused_corrections_of_the_sharing(changes: dict[str, Any], field: str) -> None:
    assessment = new_assessment()
    with refused(assessment, InvalidCorrectionError, field=field):
        assessment.correct(1, changes, "r", ctx(FR_OFFICIAL))


def test_shared_on_stays_no_later_than_the_day_the_sharing_was_recorded() -> None:
    assessment = new_assessment(at=RECORDED_AT - timedelta(days=30))
    later = ctx(FR_OFFICIAL)  # the correction is recorded today; the sharing a month ago
    with refused(assessment, InvalidCorrectionError, field="changes.shared_on"):
        assessment.correct(1, {"shared_on": str(TODAY - timedelta(days=1))}, "r", later)


def test_the_superseding_assessment_is_not_corrected_but_the_supersession_retracted() -> None:
    older, newer = pair()
    older.supersede(by=newer.id, newer=newer.state, ctx=ctx(FR_OFFICIAL))
    with refused(older, InvalidCorrectionError, field="changes.by"):
        older.correct(2, {"by": str(UUID(int=1))}, "wrong one", ctx(FR_OFFICIAL))
    older.retract(2, "wrong one", ctx(FR_OFFICIAL))
    assert (older.state.status, older.state.superseded_by) == ("shared", None)
    older.withdraw(reason="no longer accurate", ctx=ctx(FR_OFFICIAL))
    assert older.state.status == "withdrawn"


def test_a_retracted_acknowledgement_may_be_given_again() -> None:
    assessment = new_assessment()
    assessment.acknowledge(ctx=ctx(CA_OFFICIAL))
    assessment.retract(2, "acknowledged the wrong one", ctx(CA_OFFICIAL))
    assert assessment.state.status == "shared"
    assessment.acknowledge(ctx=ctx(CA_OFFICIAL))
    assert (assessment.state.status, assessment.version) == ("acknowledged", 4)
