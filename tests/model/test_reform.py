"""Reform proposals: proposed, co-sponsored, submitted, adopted, rejected or withdrawn."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from domain.model.errors import (
    AlreadySponsorError,
    DomainError,
    IllegalTransitionError,
    InvalidValueError,
    NotAuthorisedError,
    NotYourPartyError,
    UnknownPartyError,
    UnknownPriorityError,
)
from domain.model.reform import ReformProposal
from domain.model.values import Actor, ReformResult
from tests.factories import (
    ADMIN,
    AUDITOR,
    CA_OFFICIAL,
    FR_AUDITOR,
    FR_OFFICIAL,
    US_OFFICIAL,
    accepted,
    ctx,
    new_reform,
    refused,
    roadmap_state,
)

ROADMAP = roadmap_state()


def propose(actor: Actor = FR_OFFICIAL, **overrides: Any) -> ReformProposal:
    fields: dict[str, Any] = {
        "party": None,
        "title": "Training in French",
        "forum": "C-34",
        "summary": "More French-speaking personnel",
        "priorities": ["military-performance"],
        "ctx": ctx(actor),
    }
    fields.update(overrides)
    return ReformProposal.propose(uuid4(), uuid4(), ROADMAP, **fields)


def test_proposed_for_the_token_party_by_default() -> None:
    proposal = propose(CA_OFFICIAL)
    assert proposal.state.sponsors == ("CA",)
    assert proposal.state.status == "proposed"
    assert proposal.state.forum == "C-34"
    assert isinstance(proposal.pending_events[0], ReformProposal.Proposed)


def test_an_admin_names_the_party() -> None:
    assert propose(ADMIN, party="CA").state.sponsors == ("CA",)


@pytest.mark.parametrize(
    ("actor", "overrides", "error"),
    [
        (ADMIN, {}, InvalidValueError),  # the admin's token names no party
        (FR_OFFICIAL, {"party": "CA"}, NotYourPartyError),
        (FR_AUDITOR, {}, NotAuthorisedError),
        (US_OFFICIAL, {}, UnknownPartyError),
        (FR_OFFICIAL, {"priorities": ["climate"]}, UnknownPriorityError),
        (FR_OFFICIAL, {"forum": ""}, InvalidValueError),
    ],
)
def test_refused_proposals(
    actor: Actor, overrides: dict[str, Any], error: type[DomainError]
) -> None:
    with pytest.raises(error):
        propose(actor, **overrides)


def test_co_sponsored_submitted_and_adopted() -> None:
    proposal = new_reform(FR_OFFICIAL)
    event = accepted(proposal, lambda r: r.cosponsor(roadmap=ROADMAP, ctx=ctx(CA_OFFICIAL)))
    assert isinstance(event, ReformProposal.CoSponsored)
    assert proposal.state.sponsors == ("FR", "CA")
    proposal.submit(forum="Security Council", ctx=ctx(CA_OFFICIAL))
    assert (proposal.state.status, proposal.state.forum) == ("submitted", "Security Council")
    proposal.record_outcome(result=ReformResult.ADOPTED, ctx=ctx(FR_OFFICIAL))
    assert proposal.state.status == "adopted"


def test_submitted_to_its_forum_and_rejected() -> None:
    proposal = new_reform(FR_OFFICIAL)
    proposal.submit(forum=None, ctx=ctx(FR_OFFICIAL))
    assert proposal.state.forum == "C-34"
    proposal.record_outcome(result=ReformResult.REJECTED, ctx=ctx(FR_OFFICIAL))
    assert proposal.state.status == "rejected"


@pytest.mark.parametrize(
    ("actor", "error"),
    [
        (FR_OFFICIAL, AlreadySponsorError),
        (US_OFFICIAL, UnknownPartyError),
        (ADMIN, InvalidValueError),
        (AUDITOR, InvalidValueError),
        (FR_AUDITOR, NotAuthorisedError),
    ],
)
def test_refused_co_sponsorships(actor: Actor, error: type[DomainError]) -> None:
    proposal = new_reform(FR_OFFICIAL)
    with refused(proposal, error):
        proposal.cosponsor(roadmap=ROADMAP, ctx=ctx(actor))


STEPS: dict[str, Any] = {
    "cosponsor": lambda r, a: r.cosponsor(roadmap=ROADMAP, ctx=ctx(a)),
    "submit": lambda r, a: r.submit(forum=None, ctx=ctx(a)),
    "outcome": lambda r, a: r.record_outcome(result=ReformResult.ADOPTED, ctx=ctx(a)),
    "withdraw": lambda r, a: r.withdraw(reason="r", ctx=ctx(a)),
}


@pytest.mark.parametrize("step", ["submit", "withdraw"])
def test_only_sponsors_submit_or_withdraw(step: str) -> None:
    proposal = new_reform(FR_OFFICIAL)
    with refused(proposal, NotYourPartyError):
        STEPS[step](proposal, CA_OFFICIAL)
    STEPS[step](proposal, ADMIN)


def test_only_sponsors_record_the_outcome() -> None:
    proposal = new_reform(FR_OFFICIAL)
    proposal.submit(forum=None, ctx=ctx(FR_OFFICIAL))
    with refused(proposal, NotYourPartyError):
        STEPS["outcome"](proposal, CA_OFFICIAL)


ILLEGAL = [
    ((), "outcome"),
    (("submit",), "cosponsor"),
    (("submit",), "submit"),
    (("submit", "outcome"), "withdraw"),
    (("submit", "outcome"), "outcome"),
    (("withdraw",), "cosponsor"),
    (("withdraw",), "submit"),
    (("withdraw",), "withdraw"),
]


@pytest.mark.parametrize(("before", "step"), ILLEGAL)
def test_illegal_transitions(before: tuple[str, ...], step: str) -> None:
    proposal = new_reform(FR_OFFICIAL)
    for earlier in before:
        STEPS[earlier](proposal, FR_OFFICIAL)
    with refused(proposal, IllegalTransitionError):
        STEPS[step](proposal, CA_OFFICIAL if step == "cosponsor" else FR_OFFICIAL)


def test_withdrawn_after_submission() -> None:
    proposal = new_reform(FR_OFFICIAL)
    proposal.submit(forum=None, ctx=ctx(FR_OFFICIAL))
    proposal.withdraw(reason="no support", ctx=ctx(FR_OFFICIAL))
    assert proposal.state.status == "withdrawn"
